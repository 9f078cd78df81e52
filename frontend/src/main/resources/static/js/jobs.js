// The live job list: newest first, one row per job kept up to date from events, with elapsed time, an ETA from
// the progress rate, cost, filters, and cancel / retry / play.
import { api, getJson, problemOf, RUNNING, TERMINAL } from './api.js';
import { clock, money, shorten, statusLabel } from './format.js';
import { costOfJob } from './pricing.js';

const PAGE = 100;
const SHOWN = 20;

export class JobList {
  constructor({ models, announce, onChange = () => {} }) {
    this.models = models;
    this.announce = announce;
    this.onChange = onChange;
    this.list = document.getElementById('jobs');
    this.empty = document.getElementById('empty');
    this.template = document.getElementById('job-template');
    this.statusFilter = document.getElementById('filter-status');
    this.modelFilter = document.getElementById('filter-model');
    this.more = document.getElementById('more-jobs');
    this.jobs = new Map();
    this.shown = SHOWN;
    this.cursor = null;
  }

  start() {
    this.statusFilter.addEventListener('change', () => { this.shown = SHOWN; this.applyFilters(); this.load(); });
    this.modelFilter.addEventListener('change', () => { this.shown = SHOWN; this.applyFilters(); });
    this.more.addEventListener('click', () => this.showMore());
    setInterval(() => this.jobs.forEach((entry) => this.renderTiming(entry)), 1000);
  }

  // Fetches the newest jobs (of the chosen status, so older matches appear too) and merges them in.
  async load() {
    const statuses = this.statusQuery();
    const page = await getJson(`/api/v1/jobs?limit=${PAGE}${statuses ? `&status=${statuses}` : ''}`);
    page?.data.forEach((job) => this.upsert(job, { quiet: true }));
    this.cursor = page?.next_cursor ?? null;
    this.applyFilters();
  }

  // Shows the next few; fetches an older page first when the ones already here run out.
  async showMore() {
    this.shown += SHOWN;
    if (this.matching().length < this.shown && this.cursor) {
      const statuses = this.statusQuery();
      const page = await getJson(`/api/v1/jobs?limit=${PAGE}&cursor=${encodeURIComponent(this.cursor)}${statuses ? `&status=${statuses}` : ''}`);
      page?.data.forEach((job) => this.upsert(job, { quiet: true }));
      this.cursor = page?.next_cursor ?? null;
    }
    this.applyFilters();
  }

  statusQuery() {
    const value = this.statusFilter.value;
    if (value === 'active') return [...RUNNING].join(',');
    return value;
  }

  // Events and list pages may arrive in any order: keep whichever copy of a job is newest.
  upsert(job, { quiet = false } = {}) {
    const known = this.jobs.get(job.id);
    if (known && known.job.updated_at > job.updated_at) return;
    const entry = known ?? this.create(job, quiet);
    if (known && !quiet && known.job.status !== job.status && TERMINAL.has(job.status)) {
      this.announce(`“${shorten(job.prompt, 40)}” ${statusLabel(job.status).toLowerCase()}.`);
    }
    this.track(entry, job);
    entry.job = job;
    this.render(entry);
    this.onChange(job);
  }

  create(job, quiet) {
    const element = this.template.content.firstElementChild.cloneNode(true);
    element.dataset.jobId = job.id;
    if (!quiet) element.dataset.fresh = 'true';
    const entry = { job, element, seen: null };
    element.querySelector('.cancel').addEventListener('click', () => this.cancel(entry));
    element.querySelector('.retry').addEventListener('click', () => this.retry(entry));
    element.querySelector('.play').addEventListener('click', () => this.togglePlayer(entry));
    element.querySelector('.thumb').addEventListener('click', () => this.togglePlayer(entry));
    this.jobs.set(job.id, entry);
    this.insertSorted(element, job);
    requestAnimationFrame(() => requestAnimationFrame(() => { element.dataset.settled = 'true'; }));
    return entry;
  }

  insertSorted(element, job) {
    const after = [...this.list.children].find((other) => {
      const known = this.jobs.get(other.dataset.jobId)?.job;
      return known && (known.created_at < job.created_at || (known.created_at === job.created_at && known.id < job.id));
    });
    this.list.insertBefore(element, after ?? null);
  }

  // Remembers the first progress we saw and when, so the ETA follows the rate this job actually moves at.
  track(entry, job) {
    if (!entry.seen && job.progress > 0 && !TERMINAL.has(job.status)) {
      entry.seen = { progress: job.progress, at: Date.now() };
    }
  }

  render(entry) {
    const { job, element } = entry;
    element.dataset.status = job.status;
    const badge = element.querySelector('.badge');
    badge.textContent = statusLabel(job.status);
    badge.dataset.status = job.status;
    const prompt = element.querySelector('.prompt');
    prompt.textContent = job.prompt;
    prompt.title = job.prompt;
    prompt.href = `/jobs/${job.id}`;
    const bar = element.querySelector('.progress');
    bar.setAttribute('aria-valuenow', String(job.progress));
    bar.setAttribute('aria-label', `Progress of “${shorten(job.prompt, 40)}”`);
    element.querySelector('.bar').style.width = `${job.progress}%`;
    element.querySelector('.percent').textContent = `${job.progress} %`;
    const model = this.models.get(job.model);
    element.querySelector('.model').textContent = `${model?.display_name ?? job.model} · ${job.provider}`;
    element.querySelector('.priority').textContent = job.priority ? `priority ${job.priority > 0 ? '+' : ''}${job.priority}` : '';
    const cost = costOfJob(job, model);
    element.querySelector('.cost').textContent = cost ? `${cost.estimated ? '≈ ' : ''}${money(cost.amount, cost.currency)}` : '';
    element.querySelector('.reason').textContent = TERMINAL.has(job.status) ? '' : (job.status_reason ?? '');
    element.querySelector('.job-error').textContent = job.error ? job.error.message : '';
    element.querySelector('.cancel').hidden = TERMINAL.has(job.status);
    element.querySelector('.retry').hidden = job.status !== 'failed' && job.status !== 'canceled';
    element.querySelector('.play').hidden = !(job.status === 'completed' && job.links?.content);
    const thumb = element.querySelector('.thumb');
    thumb.hidden = !job.thumbnail_url;
    if (job.thumbnail_url && thumb.getAttribute('src') !== job.thumbnail_url) thumb.src = job.thumbnail_url;
    this.renderTiming(entry);
    this.applyFilters();
  }

  renderTiming({ job, element, seen }) {
    const timing = element.querySelector('.timing');
    const started = Date.parse(job.created_at);
    if (TERMINAL.has(job.status)) {
      const ended = Date.parse(job.completed_at ?? job.updated_at);
      timing.textContent = `took ${clock(ended - started)}`;
      return;
    }
    const now = Date.now();
    let eta = '';
    if (seen && job.progress > seen.progress) {
      const rate = (job.progress - seen.progress) / (now - seen.at);
      eta = ` · ≈ ${clock((100 - job.progress) / rate)} left`;
    } else if (job.progress > 0) {
      const elapsed = now - started;
      eta = ` · ≈ ${clock(elapsed * (100 - job.progress) / job.progress)} left`;
    }
    timing.textContent = `${clock(now - started)} elapsed${eta}`;
  }

  matches(job) {
    const status = this.statusFilter.value;
    const statusOk = !status || (status === 'active' ? RUNNING.has(job.status) : job.status === status);
    const modelOk = !this.modelFilter.value || job.model === this.modelFilter.value;
    return statusOk && modelOk;
  }

  // Matching jobs in list order (newest first).
  matching() {
    return [...this.list.children].filter((element) => {
      const entry = this.jobs.get(element.dataset.jobId);
      return entry && this.matches(entry.job);
    });
  }

  // Only the newest few matching jobs are shown, so a long history never makes the page endless.
  applyFilters() {
    const matching = new Set(this.matching().slice(0, this.shown));
    this.jobs.forEach(({ element }) => { element.hidden = !matching.has(element); });
    this.more.hidden = this.matching().length <= this.shown && !this.cursor;
    this.refreshEmpty();
  }

  refreshEmpty() {
    const visible = [...this.jobs.values()].some(({ element }) => !element.hidden);
    this.empty.hidden = visible;
    this.empty.textContent = this.jobs.size === 0
      ? 'No jobs yet. Describe a video and press “Generate video”.'
      : 'No jobs match these filters.';
  }

  async cancel(entry) {
    const button = entry.element.querySelector('.cancel');
    button.disabled = true;
    try {
      const response = await api(`/api/v1/jobs/${entry.job.id}/cancel`, { method: 'POST' });
      if (response.ok) {
        this.upsert(await response.json());
      } else {
        this.showError(entry, await problemOf(response));
      }
    } finally {
      button.disabled = false;
    }
  }

  async retry(entry) {
    const response = await api(`/api/v1/jobs/${entry.job.id}/retry`, { method: 'POST' });
    if (response.ok) {
      this.upsert(await response.json());
      this.announce('Retry queued.');
    } else {
      this.showError(entry, await problemOf(response));
    }
  }

  showError(entry, problem) {
    entry.element.querySelector('.job-error').textContent = problem.detail ?? problem.title;
  }

  togglePlayer({ job, element }) {
    const existing = element.querySelector('video');
    const button = element.querySelector('.play');
    if (existing) {
      existing.remove();
      button.textContent = 'Play';
      return;
    }
    const video = document.createElement('video');
    video.className = 'player';
    video.controls = true;
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    if (job.thumbnail_url) video.poster = job.thumbnail_url;
    video.src = job.links.content;
    video.setAttribute('aria-label', `Video: ${shorten(job.prompt, 60)}`);
    element.append(video);
    button.textContent = 'Hide';
  }
}
