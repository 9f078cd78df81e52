// One job: its timeline from the job's event stream (replayed from the start; state changes as rows, progress as
// one line that updates), the ETA, the player, the error in plain words, download, variation, cancel and retry
// (asked first, with the cost), delete once finished.
import { api, estimateCost, getJson, problemOf } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { bytes, clock, eta, money, setTime, shorten, when } from './format.js';
import { costOfJob, isPriced, refusedByModeration, requestOf } from './job-facts.js';
import { LiveStream } from './live-stream.js';
import { setUpThemeToggle } from './theme-toggle.js';
import { eventLabel, statusLabel, TERMINAL } from './vocabulary.js';

const $ = (id) => document.getElementById(id);

class JobPage {
  constructor(jobId) {
    this.jobId = jobId;
    // The job as last shown, the catalog's models by id, the job's event stream, and the first progress seen (for
    // the ETA).
    this.job = null;
    this.models = new Map();
    this.stream = null;
    this.seen = null;
  }

  show(next) {
    if (this.job && this.job.updated_at > next.updated_at) return;
    const job = next;
    this.job = job;
    if (!this.seen && job.progress > 0 && !TERMINAL.has(job.status)) this.seen = { progress: job.progress, at: Date.now() };
    document.title = `${statusLabel(job.status)} · ${job.prompt.slice(0, 40)} · Reelay`;
    $('job-title').textContent = job.prompt;
    $('job-badge').textContent = statusLabel(job.status);
    $('job-badge').dataset.status = job.status;
    const card = document.querySelector('.job-card');
    card.dataset.status = job.status;
    if (!card.dataset.settled) requestAnimationFrame(() => requestAnimationFrame(() => { card.dataset.settled = 'true'; }));
    $('job-progress').setAttribute('aria-valuenow', String(job.progress));
    $('job-progress').querySelector('.bar').style.width = `${job.progress}%`;
    $('job-percent').textContent = `${job.progress} %`;
    $('job-reason').textContent = TERMINAL.has(job.status) ? '' : (job.status_reason ?? '');
    this.timing();

    $('job-failure').hidden = !job.error;
    if (job.error) {
      $('job-failure-message').textContent = job.error.message;
      $('job-failure-code').textContent = job.error.code;
      $('job-failure-retryable').textContent = job.error.retryable ? ' · trying again may work' : '';
    }
    const content = job.status === 'completed' ? job.links?.content : null;
    $('player-wrap').hidden = !content;
    const player = $('player');
    if (content && !player.getAttribute('src')) {
      if (job.thumbnail_url) player.poster = job.thumbnail_url;
      player.src = content;
      player.setAttribute('aria-label', `Video: ${job.prompt.slice(0, 80)}`);
    }
    $('download').hidden = !content;
    if (content) {
      $('download').href = content;
      $('download').setAttribute('download', `reelay-${job.id}.mp4`);
      $('download').textContent = job.content?.length ? `Download video (${bytes(job.content.length)})` : 'Download video';
    }
    // Moderation refused the prompt: the same prompt again would be refused again, so editing it is offered instead.
    const moderated = refusedByModeration(job);
    $('remix').hidden = moderated;
    $('remix').href = `/?remix_of=${job.id}`;
    $('edit-prompt').hidden = !moderated;
    $('edit-prompt').href = `/?edit_of=${job.id}`;
    $('job-cancel').hidden = TERMINAL.has(job.status);
    $('job-retry').hidden = !((job.status === 'failed' && !moderated) || job.status === 'canceled');
    $('job-delete').hidden = !TERMINAL.has(job.status);
    this.details();
  }

  timing() {
    const { job } = this;
    if (!job) return;
    const started = Date.parse(job.created_at);
    const ended = TERMINAL.has(job.status) ? Date.parse(job.completed_at ?? job.updated_at) : Date.now();
    $('job-timing').textContent = TERMINAL.has(job.status) ? `took ${clock(ended - started)}`
      : `${clock(ended - started)} elapsed`;
    $('job-eta').textContent = TERMINAL.has(job.status) ? '' : eta(job, this.seen);
  }

  details() {
    const { job } = this;
    const model = this.models.get(job.model);
    const cost = costOfJob(job);
    const rows = [
      ['Model', `${model?.display_name ?? job.model} (${job.model})`],
      ['Provider', job.provider],
      // Creates sent per route, when the job was refused by one and moved on (docs/providers.md "Routes and failover").
      ['Routes tried', Object.keys(job.route?.attempts ?? {}).length > 1
        ? Object.entries(job.route.attempts).map(([route, n]) => `${route} ×${n}`).join(', ') : null],
      ['Priority', job.priority],
      ['Duration', `${job.parameters.duration_seconds} s`],
      ['Aspect ratio', job.parameters.aspect_ratio],
      ['Resolution', job.parameters.resolution],
      ['Negative prompt', job.parameters.negative_prompt],
      ['Seed', job.parameters.seed],
      ['Cost', cost ? `${cost.estimated ? '≈ ' : ''}${money(cost.amount, cost.currency)}` : null],
      ['Created', when(job.created_at)],
      ['Finished', job.completed_at ? when(job.completed_at) : null],
      ['Provider job id', job.remote_id],
      ['Video', job.content ? `${job.content.content_type}, ${bytes(job.content.length)}, SHA-256 ${job.content.sha256.slice(0, 16)}…` : null],
      ['Job id', job.id],
    ].filter(([, value]) => value !== null && value !== undefined && value !== '');
    $('details').replaceChildren(...rows.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      return [dt, dd];
    }));
  }

  // A state change is a row; progress within a state updates that state's one "progress" line rather than adding a
  // row per tick (a five-minute generation would otherwise log hundreds).
  addToTimeline(type, data, eventId) {
    const timeline = $('timeline');
    if (eventId && timeline.querySelector(`[data-event-id="${CSS.escape(eventId)}"]`)) return;
    const last = timeline.lastElementChild;
    const progress = type === 'job.progress';
    const item = progress && last?.dataset.type === 'job.progress' && last.dataset.status === data.status
      ? last : document.createElement('li');
    item.dataset.type = type;
    item.dataset.status = data.status;
    if (eventId) item.dataset.eventId = eventId;
    const time = item.querySelector('time') ?? document.createElement('time');
    setTime(time, data.updated_at);
    const what = item.querySelector('.what') ?? document.createElement('span');
    what.className = 'what';
    what.textContent = progress ? `${statusLabel(data.status)} · ${data.progress} %` : eventLabel(type);
    const detail = item.querySelector('.detail') ?? document.createElement('div');
    detail.className = 'detail';
    detail.textContent = data.error?.message ?? data.status_reason ?? '';
    if (item !== last) {
      item.append(time, what, detail);
      timeline.append(item);
    }
  }

  async act(path, button) {
    button.disabled = true;
    $('job-action-error').textContent = '';
    try {
      const response = await api(path, { method: 'POST' });
      if (!response.ok) {
        const problem = await problemOf(response);
        $('job-action-error').textContent = problem.detail ?? problem.title;
        return null;
      }
      return await response.json();
    } finally {
      button.disabled = false;
    }
  }

  async cancel() {
    const cost = costOfJob(this.job);
    const yes = await confirmAction({
      title: 'Cancel this job?',
      message: `“${shorten(this.job.prompt, 80)}” will stop and cannot be resumed.`,
      cost: cost && cost.amount > 0
        ? `It is priced at ${money(cost.amount, cost.currency)}; a provider may charge for work it has already started.`
        : 'This job is not charged for.',
      yes: 'Cancel job',
      no: 'Keep it running',
    });
    if (!yes) return;
    const canceled = await this.act(`/api/v1/jobs/${this.jobId}/cancel`, $('job-cancel'));
    if (canceled) this.show(canceled);
  }

  async retry() {
    if (isPriced(this.job)) {
      const cost = await estimateCost(requestOf(this.job));
      if (cost?.problem) {
        $('job-action-error').textContent = cost.problem.detail ?? cost.problem.title;
        return;
      }
      const yes = await confirmAction({
        title: 'Run this job again?',
        message: `A new job with the same request as “${shorten(this.job.prompt, 80)}”.`,
        cost: cost ? `It is estimated to cost ${money(Number(cost.amount), cost.currency)}.` : 'It is not charged for.',
        yes: 'Retry',
        no: 'Don’t retry',
      });
      if (!yes) return;
    }
    const again = await this.act(`/api/v1/jobs/${this.jobId}/retry`, $('job-retry'));
    if (again) location.assign(`/jobs/${again.id}`);
  }

  async remove() {
    const yes = await confirmAction({
      title: 'Delete this job?',
      message: `“${shorten(this.job.prompt, 80)}” and its video are removed for good.`,
      yes: 'Delete',
      no: 'Keep it',
    });
    if (!yes) return;
    $('job-action-error').textContent = '';
    const response = await api(`/api/v1/jobs/${this.jobId}`, { method: 'DELETE' }).catch(() => null);
    if (response?.ok) {
      location.assign('/');
      return;
    }
    const problem = response ? await problemOf(response) : { detail: 'Reelay could not be reached.' };
    $('job-action-error').textContent = problem.detail ?? problem.title;
  }

  async start() {
    setUpThemeToggle($('theme-toggle'));
    // Both at once, each once.
    const [catalog, response] = await Promise.all([getJson('/api/v1/models'), api(`/api/v1/jobs/${this.jobId}`)]);
    this.models = new Map((catalog?.data ?? []).map((model) => [model.id, model]));
    if (!response.ok) {
      $('job-title').textContent = response.status === 404 ? 'No such job' : 'This job could not be loaded';
      $('job-badge').hidden = true;
      $('job-progress').hidden = true;
      $('job-meta').hidden = true;
      $('connection').hidden = true;
      document.body.dataset.ready = 'true';
      return;
    }
    this.show(await response.json());
    $('job-cancel').addEventListener('click', () => this.cancel());
    $('job-retry').addEventListener('click', () => this.retry());
    $('job-delete').addEventListener('click', () => this.remove());
    setInterval(() => this.timing(), 1000);
    // From event 0: the whole history first, then live; the stream ends after the terminal event.
    this.stream = new LiveStream(`/api/v1/jobs/${this.jobId}/events`, {
      indicator: $('connection'),
      onEvent: (type, data) => {
        this.addToTimeline(type, data, this.stream.lastEventId);
        this.show(data);
        if (TERMINAL.has(data.status)) {
          this.stream.close();
          $('connection').dataset.state = 'done';
          $('connection').querySelector('.connection-text').textContent = 'Finished';
        }
      },
      onReset: () => $('timeline').replaceChildren(),
    });
    this.stream.lastEventId = '0';
    this.stream.start();
    document.body.dataset.ready = 'true';
  }
}

new JobPage(document.body.dataset.jobId).start();
