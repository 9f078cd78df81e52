// Small fetch helpers shared by the page's modules.
// X-Reelay-Request: with sign-in on, the server takes the page's cookie for a change only with this header, which
// another site's page cannot add (CSRF protection). A 401 means the key was revoked or the cookie cleared: reloading
// shows the sign-in form.
export async function api(path, options = {}) {
  const json = options.body && !(options.body instanceof FormData);
  const headers = { Accept: 'application/json', 'X-Reelay-Request': '1',
    ...(json ? { 'Content-Type': 'application/json' } : {}) };
  const response = await fetch(path, { ...options, headers: { ...headers, ...options.headers } });
  if (response.status === 401) window.location.reload();
  return response;
}

// The parsed body of a successful answer, or null (the caller shows nothing rather than half a view).
export async function getJson(path) {
  try {
    const response = await api(path);
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

export async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `HTTP ${response.status}`, detail: response.statusText };
  }
}

// The server's own statuses and event names, rendered into the page by the server (PageVocabulary), so a status
// added there (as reconciling was) reaches the page without a copy here going stale.
const vocabulary = JSON.parse(document.getElementById('reelay-vocabulary')?.textContent || '{}');
export const STATUSES = vocabulary.statuses ?? [];
export const TERMINAL = new Set(vocabulary.terminal ?? []);
export const RUNNING = new Set(vocabulary.running ?? []);
export const EVENT_TYPES = vocabulary.event_types ?? [];

// Failures that another try with the same prompt would only repeat: the provider's moderation refused it.
// (The provider module's ErrorClass maps the same codes to MODERATION.)
const MODERATION_CODES = new Set(['moderation_blocked', 'content_policy_violation', 'safety_filtered']);
export function refusedByModeration(job) {
  return job.status === 'failed' && MODERATION_CODES.has(job.error?.code);
}

// The API's estimate of what a job with this request would cost (POST /api/v1/jobs/estimate): {amount, currency},
// null when it is free or unpriced, or {problem} when the API refuses the request (a bad field, over budget).
export async function estimateCost(body) {
  try {
    const response = await api('/api/v1/jobs/estimate', { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) return { problem: await problemOf(response) };
    const answer = await response.json();
    return answer.estimated_cost && Number(answer.estimated_cost.amount) > 0 ? answer.estimated_cost : null;
  } catch {
    return { problem: { detail: 'Reelay could not be reached to price this.' } };
  }
}

// The request a job was made with, as POST /api/v1/jobs (and /estimate) take it.
export function requestOf(job) {
  const body = { model: job.model, prompt: job.prompt };
  const p = job.parameters ?? {};
  for (const key of ['duration_seconds', 'aspect_ratio', 'resolution', 'negative_prompt', 'seed']) {
    if (p[key] !== null && p[key] !== undefined) body[key] = p[key];
  }
  if (job.priority) body.priority = job.priority;
  return body;
}
