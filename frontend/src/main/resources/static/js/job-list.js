// The job library: one page of the caller's jobs at a time, searched, filtered and sorted by the server
// (GET /api/v1/jobs?q=&status=&model=&sort=&cursor=), kept in the address so a reload or the back button returns
// to the same place, and kept live from events. Per row: creation time, progress, ETA, cost, play, download, copy
// id, cancel (asked first, with the cost), retry (asked first when it is charged for, with the API's estimate),
// delete once finished; running jobs can be canceled together.
import { api, estimateCost, problemOf } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { clock, eta, money, plural, setTime, shorten } from './format.js';
import { costOfJob, isPriced, refusedByModeration, requestOf } from './job-facts.js';
import { RUNNING, STATUSES, TERMINAL, statusLabel } from './vocabulary.js';

const PAGE = 20;
const SEARCH_DELAY_MS = 300;
const $ = (id) => document.getElementById(id);

export class JobList {
  constructor({ models, announce, onChange = () => {} }) {
    this.models = models;
    this.announce = announce;
    this.onChange = onChange;
    this.list = $('jobs');
    this.empty = $('empty');
    this.template = $('job-template');
    this.search = $('filter-q');
    this.statusFilter = $('filter-status');
    this.modelFilter = $('filter-model');
    this.sort = $('sort');
    this.entries = new Map();
    this.cursor = null;
    this.next = null;
    this.stack = [];
    this.loads = 0;
    this.loaded = false;
    this.typing = null;
  }

  start() {
    for (const status of STATUSES) this.statusFilter.add(new Option(statusLabel(status), status));
    this.restore();
    this.search.addEventListener('input', () => {
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.reset(), SEARCH_DELAY_MS);
    });
    $('library-controls').addEventListener('submit', (event) => {
      event.preventDefault();
      clearTimeout(this.typing);
      this.reset();
    });
    for (const control of [this.statusFilter, this.modelFilter, this.sort]) {
      control.addEventListener('change', () => this.reset());
    }
    $('page-next').addEventListener('click', () => this.turn(1));
    $('page-prev').addEventListener('click', () => this.turn(-1));
    $('select-all').addEventListener('change', (event) => {
      this.entries.forEach((entry) => { if (!TERMINAL.has(entry.job.status)) entry.select.checked = event.target.checked; });
      this.updateBulk();
    });
    $('bulk-cancel').addEventListener('click', () => this.cancelSelected());
    window.addEventListener('popstate', () => { this.restore(); this.load(); });
    setInterval(() => this.entries.forEach((entry) => this.renderTiming(entry)), 1000);
  }

  // The place kept in the address: search, filters, order, and the page's cursor (the cursors of the pages
  // before it live in the history entry, for "Previous").
  restore() {
    const params = new URLSearchParams(location.search);
    this.search.value = params.get('q') ?? '';
    setIfPresent(this.statusFilter, params.get('status') ?? '');
    setIfPresent(this.modelFilter, params.get('model') ?? '');
    setIfPresent(this.sort, params.get('sort') ?? '-created_at');
    this.cursor = params.get('page');
    this.stack = Array.isArray(history.state?.pages) ? history.state.pages : [];
    if (!this.cursor) this.stack = [];
  }

  remember() {
    const params = new URLSearchParams(location.search);
    const set = (key, value) => { if (value) params.set(key, value); else params.delete(key); };
    set('q', this.search.value.trim());
    set('status', this.statusFilter.value);
    set('model', this.modelFilter.value);
    set('sort', this.sort.value === '-created_at' ? '' : this.sort.value);
    set('page', this.cursor);
    const query = params.toString();
    history.replaceState({ ...history.state, pages: this.stack }, '', `${location.pathname}${query ? `?${query}` : ''}`);
  }

  reset() {
    this.cursor = null;
    this.stack = [];
    this.load();
  }

  async turn(direction) {
    if (direction > 0 && this.next) {
      this.stack.push(this.cursor ?? '');
      this.cursor = this.next;
    } else if (direction < 0 && this.stack.length) {
      this.cursor = this.stack.pop() || null;
    } else {
      return;
    }
    await this.load();
    $('jobs-title').focus();
  }

  params() {
    const params = new URLSearchParams({ limit: String(PAGE) });
    const q = this.search.value.trim();
    if (q) params.set('q', q);
    const status = this.statusFilter.value === 'active' ? [...RUNNING].join(',') : this.statusFilter.value;
    if (status) params.set('status', status);
    if (this.modelFilter.value) params.set('model', this.modelFilter.value);
    if (this.sort.value !== '-created_at') params.set('sort', this.sort.value);
    if (this.cursor) params.set('cursor', this.cursor);
    return params;
  }

  // Shows the page the controls and the cursor describe. A later call wins over an earlier one still under way.
  async load() {
    const ticket = ++this.loads;
    this.list.setAttribute('aria-busy', 'true');
    const response = await api(`/api/v1/jobs?${this.params()}`).catch(() => null);
    if (ticket !== this.loads) return;
    this.list.removeAttribute('aria-busy');
    if (!response?.ok) {
      const problem = response ? await problemOf(response) : { detail: 'Reelay could not be reached.' };
      // A cursor from an old address (or another order) is refused: start again from the first page.
      if (problem.field === 'cursor' && this.cursor) {
        this.reset();
        return;
      }
      this.empty.hidden = false;
      this.empty.textContent = `The jobs could not be loaded: ${problem.detail ?? problem.title}`;
      return;
    }
    const page = await response.json();
    if (ticket !== this.loads) return;
    this.next = page.next_cursor ?? null;
    const rows = page.data.map((job) => {
      const entry = this.entries.get(job.id) ?? this.create(job, true);
      if (!(entry.job.updated_at > job.updated_at)) entry.job = job;
      this.track(entry, entry.job);
      this.render(entry);
      return entry;
    });
    this.entries = new Map(rows.map((entry) => [entry.job.id, entry]));
    this.list.replaceChildren(...rows.map((entry) => entry.element));
    this.loaded = true;
    this.remember();
    this.refresh();
  }

  // The search and filters as they stand, for a job that arrives by event.
  accepts(job) {
    const status = this.statusFilter.value;
    const statusOk = !status || (status === 'active' ? RUNNING.has(job.status) : job.status === status);
    const modelOk = !this.modelFilter.value || job.model === this.modelFilter.value;
    const q = this.search.value.trim().toLowerCase();
    return statusOk && modelOk && (!q || job.prompt.toLowerCase().includes(q));
  }

  // From events and the row's own actions. A job on this page is updated in place (it stays even when it no
  // longer matches a status filter, rather than vanishing under the pointer); a new one is shown when it belongs
  // where the person is looking: the first page, newest first, or the last page, oldest first.
  upsert(job, { quiet = false } = {}) {
    const known = this.entries.get(job.id);
    if (known) {
      if (known.job.updated_at > job.updated_at) return;
      if (!quiet && known.job.status !== job.status && TERMINAL.has(job.status)) {
        this.announce(`“${shorten(job.prompt, 40)}” ${statusLabel(job.status).toLowerCase()}.`);
      }
      known.job = job;
      this.track(known, job);
      this.render(known);
      this.onChange(job);
      this.refresh();
      return;
    }
    if (!this.loaded || !this.accepts(job)) return;
    const newestFirst = this.sort.value === '-created_at';
    if (newestFirst ? this.cursor : this.next) return;
    const entry = this.create(job, quiet);
    this.track(entry, job);
    this.render(entry);
    this.entries.set(job.id, entry);
    this.insertSorted(entry, newestFirst);
    this.onChange(job);
    this.refresh();
  }

  create(job, quiet) {
    const element = this.template.content.firstElementChild.cloneNode(true);
    element.dataset.jobId = job.id;
    if (!quiet) element.dataset.fresh = 'true';
    const entry = { job, element, seen: null, select: element.querySelector('.select') };
    const on = (selector, handler) => element.querySelector(selector).addEventListener('click', () => handler(entry));
    on('.cancel', (e) => this.cancel(e));
    on('.retry', (e) => this.retry(e));
    on('.delete', (e) => this.remove(e));
    on('.play', (e) => this.togglePlayer(e));
    on('.thumb', (e) => this.togglePlayer(e));
    on('.copy-id', (e) => this.copyId(e));
    entry.select.addEventListener('change', () => this.updateBulk());
    requestAnimationFrame(() => requestAnimationFrame(() => { element.dataset.settled = 'true'; }));
    return entry;
  }

  insertSorted(entry, newestFirst) {
    const { job } = entry;
    const before = [...this.list.children].find((other) => {
      const known = this.entries.get(other.dataset.jobId)?.job;
      if (!known || known === job) return false;
      const newer = known.created_at < job.created_at || (known.created_at === job.created_at && known.id < job.id);
      return newestFirst ? newer : !newer;
    });
    this.list.insertBefore(entry.element, before ?? null);
  }

  // Remembers the first progress we saw and when, so the ETA follows the rate this job actually moves at.
  track(entry, job) {
    if (!entry.seen && job.progress > 0 && !TERMINAL.has(job.status)) {
      entry.seen = { progress: job.progress, at: Date.now() };
    }
  }

  render(entry) {
    const { job, element } = entry;
    const about = `“${shorten(job.prompt, 40)}”`;
    element.dataset.status = job.status;
    const badge = element.querySelector('.badge');
    badge.textContent = statusLabel(job.status);
    badge.dataset.status = job.status;
    const prompt = element.querySelector('.prompt');
    prompt.textContent = job.prompt;
    prompt.title = job.prompt;
    prompt.href = `/jobs/${job.id}`;
    setTime(element.querySelector('.created'), job.created_at);
    const bar = element.querySelector('.progress');
    bar.setAttribute('aria-valuenow', String(job.progress));
    bar.setAttribute('aria-label', `Progress of ${about}`);
    element.querySelector('.bar').style.width = `${job.progress}%`;
    element.querySelector('.percent').textContent = `${job.progress} %`;
    const model = this.models.get(job.model);
    element.querySelector('.model').textContent = `${model?.display_name ?? job.model} · ${job.provider}`;
    element.querySelector('.priority').textContent = job.priority ? `priority ${job.priority > 0 ? '+' : ''}${job.priority}` : '';
    const cost = costOfJob(job);
    element.querySelector('.cost').textContent = !cost ? '' : cost.amount === 0 ? 'free'
      : `${cost.estimated ? '≈ ' : ''}${money(cost.amount, cost.currency)}`;
    element.querySelector('.reason').textContent = TERMINAL.has(job.status) ? '' : (job.status_reason ?? '');
    element.querySelector('.job-error').textContent = job.error ? job.error.message : '';

    const ended = TERMINAL.has(job.status);
    const content = job.status === 'completed' ? job.links?.content : null;
    const moderated = refusedByModeration(job);
    entry.select.hidden = ended;
    if (ended) entry.select.checked = false;
    entry.select.setAttribute('aria-label', `Select ${about}`);
    this.button(element, '.cancel', !ended, `Cancel ${about}`);
    this.button(element, '.retry', (job.status === 'failed' && !moderated) || job.status === 'canceled', `Retry ${about}`);
    this.button(element, '.delete', ended, `Delete ${about}`);
    this.button(element, '.play', Boolean(content), `${element.querySelector('video') ? 'Hide' : 'Play'} ${about}`);
    this.button(element, '.copy-id', true, `Copy id of ${about}`);
    // Moderation refused the prompt: trying it again unchanged would be refused again, so offer to edit it.
    const edit = this.button(element, '.edit', moderated, `Edit prompt of ${about} and try again`);
    edit.href = `/?edit_of=${job.id}`;
    const download = this.button(element, '.download', Boolean(content), `Download ${about}`);
    if (content) {
      download.href = content;
      download.setAttribute('download', `reelay-${job.id}.mp4`);
    }
    const thumb = element.querySelector('.thumb');
    thumb.hidden = !job.thumbnail_url;
    if (job.thumbnail_url && thumb.getAttribute('src') !== job.thumbnail_url) thumb.src = job.thumbnail_url;
    this.renderTiming(entry);
  }

  button(element, selector, shown, label) {
    const button = element.querySelector(selector);
    button.hidden = !shown;
    button.setAttribute('aria-label', label);
    return button;
  }

  renderTiming({ job, element, seen }) {
    const timing = element.querySelector('.timing');
    const started = Date.parse(job.created_at);
    if (TERMINAL.has(job.status)) {
      timing.textContent = `took ${clock(Date.parse(job.completed_at ?? job.updated_at) - started)}`;
      return;
    }
    const left = eta(job, seen);
    timing.textContent = `${clock(Date.now() - started)} elapsed${left ? ` · ${left}` : ''}`;
  }

  refresh() {
    const shown = this.entries.size;
    this.empty.hidden = shown > 0;
    const filtered = this.search.value.trim() || this.statusFilter.value || this.modelFilter.value;
    this.empty.textContent = filtered ? 'No jobs match this search and these filters.'
      : this.stack.length ? 'No more jobs.' : 'No jobs yet. Describe a video and press “Generate video”.';
    $('page-prev').disabled = this.stack.length === 0;
    $('page-next').disabled = !this.next;
    $('page-label').textContent = `Page ${this.stack.length + 1}`;
    $('jobs-count').textContent = shown ? `${plural(shown, 'job')} on this page` : '';
    this.updateBulk();
  }

  selected() {
    return [...this.entries.values()].filter((entry) => entry.select.checked && !TERMINAL.has(entry.job.status));
  }

  updateBulk() {
    const selected = this.selected();
    const button = $('bulk-cancel');
    button.disabled = selected.length === 0;
    button.textContent = selected.length ? `Cancel ${plural(selected.length, 'selected job')}` : 'Cancel selected';
    const running = [...this.entries.values()].filter((entry) => !TERMINAL.has(entry.job.status));
    const all = $('select-all');
    all.disabled = running.length === 0;
    all.checked = running.length > 0 && selected.length === running.length;
  }

  async cancel(entry) {
    const cost = costOfJob(entry.job);
    const yes = await confirmAction({
      title: 'Cancel this job?',
      message: `“${shorten(entry.job.prompt, 80)}” will stop and cannot be resumed.`,
      cost: spendWords(cost ? [cost] : [], 1),
      yes: 'Cancel job',
      no: 'Keep it running',
    });
    if (!yes) return;
    await this.post(entry, `/api/v1/jobs/${entry.job.id}/cancel`, '.cancel');
  }

  async cancelSelected() {
    const selected = this.selected();
    if (!selected.length) return;
    const costs = selected.map((entry) => costOfJob(entry.job)).filter(Boolean);
    const yes = await confirmAction({
      title: `Cancel ${plural(selected.length, 'job')}?`,
      message: `${plural(selected.length, 'job')} will stop and cannot be resumed.`,
      cost: spendWords(costs, selected.length),
      yes: `Cancel ${plural(selected.length, 'job')}`,
      no: 'Keep them running',
    });
    if (!yes) return;
    let canceled = 0;
    // One after the other: at most a page of requests, and each row shows its own answer.
    for (const entry of selected) {
      if (await this.post(entry, `/api/v1/jobs/${entry.job.id}/cancel`, '.cancel', { quiet: true })) canceled += 1;
    }
    this.announce(`${plural(canceled, 'job')} canceled.`);
    this.updateBulk();
  }

  async retry(entry) {
    if (isPriced(entry.job)) {
      const cost = await estimateCost(requestOf(entry.job));
      if (cost?.problem) {
        this.showError(entry, cost.problem);
        return;
      }
      const yes = await confirmAction({
        title: 'Run this job again?',
        message: `A new job with the same request as “${shorten(entry.job.prompt, 80)}”.`,
        cost: cost ? `It is estimated to cost ${money(Number(cost.amount), cost.currency)}.` : 'It is not charged for.',
        yes: 'Retry',
        no: 'Don’t retry',
      });
      if (!yes) return;
    }
    const again = await this.post(entry, `/api/v1/jobs/${entry.job.id}/retry`, '.retry', { other: true });
    if (again) {
      this.upsert(again);
      this.announce('Retry queued.');
    }
  }

  async remove(entry) {
    const yes = await confirmAction({
      title: 'Delete this job?',
      message: `“${shorten(entry.job.prompt, 80)}” and its video are removed for good.`,
      yes: 'Delete',
      no: 'Keep it',
    });
    if (!yes) return;
    const response = await api(`/api/v1/jobs/${entry.job.id}`, { method: 'DELETE' }).catch(() => null);
    if (!response?.ok) {
      this.showError(entry, response ? await problemOf(response) : { detail: 'Reelay could not be reached.' });
      return;
    }
    const next = entry.element.nextElementSibling ?? entry.element.previousElementSibling;
    this.forget(entry.job.id);
    this.announce(`Job “${shorten(entry.job.prompt, 40)}” deleted.`);
    (next?.querySelector('.prompt') ?? $('jobs-title')).focus();
  }

  // A job deleted here or elsewhere (another tab, an API client) leaves the list.
  forget(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.element.remove();
    this.entries.delete(id);
    this.refresh();
  }

  // POSTs an action of the row; answers the job the API returned (null on a problem, shown on the row).
  async post(entry, path, selector, { quiet = false, other = false } = {}) {
    const button = entry.element.querySelector(selector);
    button.disabled = true;
    entry.element.querySelector('.job-error').textContent = '';
    try {
      const response = await api(path, { method: 'POST' });
      if (!response.ok) {
        this.showError(entry, await problemOf(response));
        return null;
      }
      const job = await response.json();
      if (!other) this.upsert(job, { quiet });
      return job;
    } catch {
      this.showError(entry, { detail: 'Reelay could not be reached. Check the connection and try again.' });
      return null;
    } finally {
      button.disabled = false;
    }
  }

  showError(entry, problem) {
    entry.element.querySelector('.job-error').textContent = problem.detail ?? problem.title;
  }

  async copyId({ job, element }) {
    const button = element.querySelector('.copy-id');
    let copied = false;
    try {
      await navigator.clipboard.writeText(job.id);
      copied = true;
    } catch {
      // No clipboard permission (or not a secure context): copy through a selection instead.
      const field = document.createElement('textarea');
      field.value = job.id;
      field.setAttribute('readonly', '');
      field.className = 'visually-hidden';
      document.body.append(field);
      field.select();
      copied = document.execCommand('copy');
      field.remove();
      button.focus();
    }
    button.textContent = copied ? 'Copied' : job.id;
    this.announce(copied ? 'Job id copied.' : `Job id: ${job.id}`);
    setTimeout(() => { button.textContent = 'Copy id'; }, 2000);
  }

  togglePlayer(entry) {
    const { job, element } = entry;
    const existing = element.querySelector('video');
    const button = element.querySelector('.play');
    if (existing) {
      existing.remove();
      button.textContent = 'Play';
      this.render(entry);
      return;
    }
    if (job.status !== 'completed' || !job.links?.content) return;
    const video = document.createElement('video');
    video.className = 'player';
    video.controls = true;
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    if (job.thumbnail_url) video.poster = job.thumbnail_url;
    video.src = job.links.content;
    video.setAttribute('aria-label', `Video: ${shorten(job.prompt, 60)}`);
    element.querySelector('.job-actions').before(video);
    button.textContent = 'Hide';
    this.render(entry);
  }
}

// What canceling spends, in words: the provider may charge for work it has started.
function spendWords(costs, count) {
  const priced = costs.filter((cost) => cost.amount > 0);
  if (!priced.length) return count === 1 ? 'This job is not charged for.' : 'None of them is charged for.';
  const total = priced.reduce((sum, cost) => sum + cost.amount, 0);
  const subject = count === 1 ? 'This job is' : `${plural(priced.length, 'job')} of these are`;
  return `${subject} priced at ${money(total, priced[0].currency)}; a provider may charge for work it has already started.`;
}

function setIfPresent(select, value) {
  if ([...select.options].some((option) => option.value === value)) select.value = value;
}
