// Asks before an action that spends money or cannot be undone, in the page's <dialog> (modal: focus stays inside
// and returns to the button that asked when it closes). Answers true only for an explicit "yes".
const $ = (id) => document.getElementById(id);

export function confirmAction({ title, message, cost = '', yes = 'Confirm', no = 'Keep it' }) {
  const dialog = $('confirm-dialog');
  const opener = document.activeElement;
  $('confirm-title').textContent = title;
  $('confirm-message').textContent = message;
  $('confirm-cost').textContent = cost;
  $('confirm-yes').textContent = yes;
  $('confirm-no').textContent = no;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'yes');
    }, { once: true });
    dialog.showModal();
    // The safe answer has focus, so Enter never spends by accident.
    $('confirm-no').focus();
  });
}
