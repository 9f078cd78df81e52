// Verifies one webhook delivery Reelay sent with the SDK's own client.webhooks.unwrap and prints what it returned.
import fs from 'node:fs';
import OpenAI from 'openai';

const delivery = JSON.parse(fs.readFileSync(process.env.REELAY_WEBHOOK_FILE, 'utf8'));
const client = new OpenAI({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1' });
const result = { call: 'webhooks.unwrap' };
try {
  result.event = await client.webhooks.unwrap(delivery.body, delivery.headers, process.env.REELAY_WEBHOOK_SECRET);
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.errorClass = error?.constructor?.name;
  result.message = String(error?.message);
}
try {
  await client.webhooks.unwrap(delivery.body.replace('"video_', '"video_x'), delivery.headers, process.env.REELAY_WEBHOOK_SECRET);
  result.tamperedAccepted = true;
} catch (error) {
  result.tamperedAccepted = false;
  result.tamperedError = error?.constructor?.name;
}
console.log(JSON.stringify(result));
