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

export const TERMINAL = new Set(['completed', 'failed', 'canceled']);
export const RUNNING = new Set(['submitting', 'submitted', 'in_progress', 'downloading']);
export const EVENT_TYPES = ['job.queued', 'job.submitted', 'job.progress', 'job.completed', 'job.failed',
  'job.canceled'];
