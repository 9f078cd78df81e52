// Small fetch helpers shared by the page's modules.
export function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
  return fetch(path, { ...options, headers: { ...headers, ...options.headers } });
}

export async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `HTTP ${response.status}`, detail: response.statusText };
  }
}
