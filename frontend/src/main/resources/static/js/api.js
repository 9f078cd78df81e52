// Calls to Reelay's API shared by the page's modules: fetch with the page's headers, JSON, problems, estimates.
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

// The API's estimate of what a job with this request would cost (POST /api/v1/jobs/estimate): {amount, currency},
// null when it is free or unpriced, or {problem} when the API refuses the request (a bad field, over budget).
// With a signal, an estimate no longer wanted is aborted: it then answers {aborted: true}, which callers drop.
export async function estimateCost(body, { signal } = {}) {
  try {
    const response = await api('/api/v1/jobs/estimate', { method: 'POST', body: JSON.stringify(body), signal });
    if (!response.ok) return { problem: await problemOf(response) };
    const answer = await response.json();
    return answer.estimated_cost && Number(answer.estimated_cost.amount) > 0 ? answer.estimated_cost : null;
  } catch {
    if (signal?.aborted) return { aborted: true };
    return { problem: { detail: 'Reelay could not be reached to price this.' } };
  }
}
