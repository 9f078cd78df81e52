// This month's spend (settled and reserved) against the caller's budget, from GET /api/v1/usage; hidden when the
// API gives nothing.
import { getJson } from './api.js';
import { money } from './format.js';

export async function showBudget(element) {
  const month = (await getJson('/api/v1/usage'))?.month;
  if (!month) {
    element.hidden = true;
    return;
  }
  const spent = money(month.spent.amount + month.reserved.amount, month.spent.currency);
  element.textContent = month.budget
    ? `This month: ${spent} of ${money(month.budget.amount, month.budget.currency)} budget`
    : `This month: ${spent} spent (no budget)`;
  element.hidden = false;
}
