// Light or dark: follows the system until the person picks one, then remembers the choice.
const KEY = 'reelay-theme';
const root = document.documentElement;

function effective() {
  return root.dataset.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

export function setUpThemeToggle(button) {
  const sync = () => button.setAttribute('aria-pressed', String(effective() === 'dark'));
  button.addEventListener('click', () => {
    const next = effective() === 'dark' ? 'light' : 'dark';
    root.dataset.theme = next;
    try { localStorage.setItem(KEY, next); } catch { /* private mode: the choice lasts for this page only */ }
    sync();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', sync);
  sync();
}
