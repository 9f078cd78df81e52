// The server's job vocabulary, rendered into the page by the server (PageVocabulary) as
// <script type="application/json" id="reelay-vocabulary">: every status with its words and whether it is terminal
// or running, every event name with its words. Read here, never copied, so a status the server adds (as
// reconciling was) reaches the page with its words.
const vocabulary = JSON.parse(document.getElementById('reelay-vocabulary')?.textContent || '{}');
const statuses = vocabulary.statuses ?? [];
const eventTypes = vocabulary.event_types ?? [];
const statusWords = new Map(statuses.map((status) => [status.value, status.label]));
const eventWords = new Map(eventTypes.map((type) => [type.value, type.label]));

export const STATUSES = statuses.map((status) => status.value);
export const TERMINAL = new Set(statuses.filter((status) => status.terminal).map((status) => status.value));
export const RUNNING = new Set(statuses.filter((status) => status.running).map((status) => status.value));
export const EVENT_TYPES = eventTypes.map((type) => type.value);

// A status's words; one the page was not told about shows by its name.
export function statusLabel(status) {
  return statusWords.get(status) ?? String(status).replaceAll('_', ' ');
}

// An event's words for the timeline; one the page was not told about shows by its name.
export function eventLabel(type) {
  return eventWords.get(type) ?? type;
}
