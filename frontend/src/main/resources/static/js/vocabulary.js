// The server's job vocabulary, rendered into the page by the server (PageVocabulary) as
// <script type="application/json" id="reelay-vocabulary">: every status with its words and whether it is terminal
// or running, every event name with its words, and a starting image's limits. Read here, never copied, so a status the server adds (as
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

// A starting image's limits as the API applies them (reelay.jobs.image.*): checked here only to answer at once.
const image = vocabulary.image ?? {};
export const IMAGE_TYPES = image.types ?? [];
export const IMAGE_MAX_BYTES = image.max_bytes ?? Infinity;
// "PNG, JPEG or WebP up to 10 MB", from the types and the limit the server sent.
const TYPE_WORDS = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'image/gif': 'GIF' };
const typeWords = IMAGE_TYPES.map((type) => TYPE_WORDS[type] ?? type.replace(/^image\//, '').toUpperCase());
export const IMAGE_TYPE_WORDS = typeWords.length > 1
  ? `${typeWords.slice(0, -1).join(', ')} or ${typeWords[typeWords.length - 1]}` : (typeWords[0] ?? 'an image');
export const IMAGE_SIZE_WORDS = image.max_size_text ?? '';

// A status's words; one the page was not told about shows by its name.
export function statusLabel(status) {
  return statusWords.get(status) ?? String(status).replaceAll('_', ' ');
}

// An event's words for the timeline; one the page was not told about shows by its name.
export function eventLabel(type) {
  return eventWords.get(type) ?? type;
}
