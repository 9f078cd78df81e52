// Facts about a job as the API answers it (GET /api/v1/jobs/{id}) beyond its plain fields: its cost, whether
// another run is charged for, whether moderation refused it, and the request it was made with.

// What a job cost, as the API says: the settled cost once it ended, else the API's estimate from when it was
// submitted (reserved against the budget). Prices are never worked out here: the API prices a request
// (POST /api/v1/jobs/estimate, see api.js) and each job.
export function costOfJob(job) {
  const actual = job.actual_cost;
  if (actual && typeof actual.amount === 'number') return { amount: actual.amount, currency: actual.currency ?? 'USD', estimated: false };
  const estimated = job.estimated_cost;
  if (estimated && typeof estimated.amount === 'number') return { amount: estimated.amount, currency: estimated.currency ?? 'USD', estimated: true };
  return null;
}

// Whether running this job again would be charged for.
export function isPriced(job) {
  const cost = costOfJob(job);
  return Boolean(cost && cost.amount > 0);
}

// Failures that another try with the same prompt would only repeat: the provider's moderation refused it. The server
// says so in error.kind (it knows every family's codes for it), so the page keeps no list of its own.
export function refusedByModeration(job) {
  return job.status === 'failed' && job.error?.kind === 'moderation';
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
