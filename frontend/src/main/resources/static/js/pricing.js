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
