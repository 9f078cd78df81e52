// Drives Reelay's /v1/videos with the official openai-node SDK, every scenario in one process, and prints one JSON
// object of results on stdout for OpenAiSdkTests to check. Settings come from the environment (see that test).
import fs from 'node:fs';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseURL = env('REELAY_BASE_URL');
const apiKey = env('REELAY_API_KEY');
const model = env('REELAY_MODEL');
const image = env('REELAY_IMAGE');
const outDir = env('REELAY_OUT_DIR');
const run = env('REELAY_RUN');

const client = new OpenAI({ baseURL, apiKey, maxRetries: 2, timeout: 60_000 });
const results = { sdkVersion: OpenAI.VERSION ?? null, calls: [] };
const note = (call, outcome) => results.calls.push({ ...outcome, call });

async function untilDone(id) {
  const deadline = Date.now() + 120_000;
  let polls = 0;
  for (;;) {
    const video = await client.videos.retrieve(id);
    polls++;
    if (video.status === 'completed' || video.status === 'failed') return { video, polls };
    if (Date.now() > deadline) throw new Error(`video ${id} still ${video.status} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function failure(call, promise) {
  try {
    const value = await promise;
    return { call, ok: true, value };
  } catch (error) {
    return {
      call,
      ok: false,
      errorClass: error?.constructor?.name,
      status: error?.status ?? null,
      error: error?.error ?? null,
      message: String(error?.message),
    };
  }
}

// 1. Create with an uploaded image (multipart, as the SDK always sends a create).
const withImage = await client.videos.create({
  prompt: `${run} a lighthouse at dawn, from an image`,
  model,
  seconds: '4',
  size: '1280x720',
  input_reference: await toFile(fs.createReadStream(image), 'first-frame.png', { type: 'image/png' }),
});
note('videos.create (multipart, input_reference file)', { id: withImage.id, status: withImage.status, video: withImage });

// 2. Create with text only.
const textOnly = await client.videos.create({ prompt: `${run} a calico cat playing piano`, model, seconds: '8', size: '720x1280' });
note('videos.create (text only)', { id: textOnly.id, status: textOnly.status, video: textOnly });

// 3. Retrieve until completed.
const doneImage = await untilDone(withImage.id);
note('videos.retrieve until completed (image)', { id: withImage.id, status: doneImage.video.status, polls: doneImage.polls, video: doneImage.video });
const doneText = await untilDone(textOnly.id);
note('videos.retrieve until completed (text)', { id: textOnly.id, status: doneText.video.status, polls: doneText.polls, video: doneText.video });

// 4. Download the content to a file.
const response = await client.videos.downloadContent(textOnly.id);
const bytes = Buffer.from(await response.arrayBuffer());
const file = path.join(outDir, 'video.mp4');
fs.writeFileSync(file, bytes);
note('videos.downloadContent', {
  id: textOnly.id,
  status: response.status,
  contentType: response.headers.get('content-type'),
  bytes: bytes.length,
  file,
});

// 5. Remix the completed video.
const remix = await client.videos.remix(textOnly.id, { prompt: `${run} the cat takes a bow` });
const doneRemix = await untilDone(remix.id);
note('videos.remix', { id: remix.id, status: doneRemix.video.status, remixedFrom: doneRemix.video.remixed_from_video_id, video: doneRemix.video });

// 6. An unsupported size: a 400 in OpenAI's shape.
note('videos.create (unsupported size)', await failure('create', client.videos.create({ prompt: `${run} too sharp`, model, size: '1792x1024' })));

// 7. A create whose first answer is lost after Reelay handled it: the SDK retries it, and gets the same video.
let createAttempts = 0;
const losing = new OpenAI({
  baseURL,
  apiKey,
  maxRetries: 2,
  fetch: async (url, init) => {
    const answer = await fetch(url, init);
    const isCreate = (init?.method ?? 'GET') === 'POST' && new URL(String(url)).pathname.endsWith('/videos');
    if (isCreate && ++createAttempts === 1) {
      await answer.arrayBuffer();
      throw new TypeError('fetch failed: connection reset after the request was handled (test)');
    }
    return answer;
  },
});
const retried = await losing.videos.create({ prompt: `${run} retried create`, model, seconds: '4' });
note('videos.create (first answer lost, SDK retries)', { id: retried.id, status: retried.status, attempts: createAttempts });

// 8. List with pagination: pages of 2, oldest first, followed by the SDK's auto-pager.
const firstPage = await client.videos.list({ limit: 2, order: 'asc' });
const seen = [];
for await (const video of client.videos.list({ limit: 2, order: 'asc' })) seen.push(video.id);
note('videos.list (limit 2, asc, auto-paginated)', {
  firstPageIds: firstPage.data.map((video) => video.id),
  firstPageHasMore: firstPage.has_more,
  ids: seen,
});

// 9. Not served: an edit.
note('videos.edit (not served)', await failure('edit', client.videos.edit({ prompt: 'x', video: { id: textOnly.id } })));

// 10. Delete, when the server has it.
if (process.env.REELAY_DELETE === 'true') {
  const deleted = await client.videos.delete(withImage.id);
  note('videos.delete', { id: withImage.id, deleted });
  note('videos.retrieve (deleted)', await failure('retrieve', client.videos.retrieve(withImage.id)));
}

console.log(JSON.stringify(results));
