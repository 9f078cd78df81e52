// Cost as the catalog states it. The catalog may give a price per clip, per second, or per second by resolution;
// a model without a price has none shown rather than a guess.
function priceOf(model) {
  return model?.price ?? model?.pricing ?? null;
}

export function estimate(model, { duration, resolution }) {
  const price = priceOf(model);
  if (!price) return null;
  const currency = price.currency ?? 'USD';
  if (typeof price === 'number') return { amount: price * duration, currency: 'USD' };
  if (typeof price.per_clip === 'number') return { amount: price.per_clip, currency };
  const perSecond = price.per_second;
  if (typeof perSecond === 'number') return { amount: perSecond * duration, currency };
  if (perSecond && typeof perSecond === 'object') {
    const rate = perSecond[resolution] ?? perSecond.default;
    if (typeof rate === 'number') return { amount: rate * duration, currency };
  }
  return null;
}

// What a job cost: the settled cost once it ended, else the API's estimate (reserved against the budget), else the
// catalog's estimate for jobs stored before the API priced them.
export function costOfJob(job, model) {
  const cost = job.actual_cost ?? job.cost;
  if (typeof cost === 'number') return { amount: cost, currency: 'USD', estimated: false };
  if (cost && typeof cost.amount === 'number') return { amount: cost.amount, currency: cost.currency ?? 'USD', estimated: false };
  const estimated = job.estimated_cost;
  if (estimated && typeof estimated.amount === 'number') return { amount: estimated.amount, currency: estimated.currency ?? 'USD', estimated: true };
  const guess = estimate(model, { duration: job.parameters?.duration_seconds, resolution: job.parameters?.resolution });
  return guess ? { ...guess, estimated: true } : null;
}
