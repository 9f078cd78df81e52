// Reelay page: submit jobs, keep a live list from the all-jobs event stream, play finished videos.
import { api, problemOf } from './api.js';

const form = document.getElementById('job-form');
const promptInput = document.getElementById('prompt');
const modelSelect = document.getElementById('model');
const list = document.getElementById('jobs');
const empty = document.getElementById('empty');
const connection = document.getElementById('connection');
const template = document.getElementById('job-template');
const jobs = new Map();
let models = new Map();

const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const EVENT_TYPES = ['job.queued', 'job.submitted', 'job.progress', 'job.completed', 'job.failed', 'job.canceled'];

function fillSelect(select, values, format = (v) => String(v)) {
  const previous = select.value;
  select.replaceChildren(...values.map((value) => new Option(format(value), String(value))));
  if (values.map(String).includes(previous)) select.value = previous;
}

function applyModel() {
  const model = models.get(modelSelect.value);
  if (!model) return;
  fillSelect(document.getElementById('duration_seconds'), model.durations, (s) => `${s} seconds`);
  fillSelect(document.getElementById('aspect_ratio'), model.aspect_ratios);
  fillSelect(document.getElementById('resolution'), model.resolutions);
  promptInput.maxLength = model.max_prompt_length;
  updateCount();
}

function updateCount() {
  document.getElementById('prompt-count').textContent =
    `${promptInput.value.length} / ${promptInput.maxLength}`;
}

function clearErrors() {
  form.querySelectorAll('[data-error-for]').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

function showProblem(problem) {
  const field = problem.field ?? '';
  const target = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`)
    ?? form.querySelector('[data-error-for=""]');
  target.textContent = problem.detail ?? problem.title ?? 'The request was rejected.';
  const input = field && document.getElementById(field);
  if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const button = document.getElementById('submit');
  button.disabled = true;
  const body = {
    model: modelSelect.value,
    prompt: promptInput.value,
    duration_seconds: Number(document.getElementById('duration_seconds').value),
    aspect_ratio: document.getElementById('aspect_ratio').value,
    resolution: document.getElementById('resolution').value,
  };
  try {
    const response = await api('/api/v1/jobs', { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) { showProblem(await problemOf(response)); return; }
    upsert(await response.json());
    promptInput.value = '';
    updateCount();
  } catch (error) {
    showProblem({ detail: `Could not reach Reelay: ${error.message}` });
  } finally {
    button.disabled = false;
  }
}

function render(job) {
  let item = jobs.get(job.id)?.element;
  if (!item) {
    item = template.content.firstElementChild.cloneNode(true);
    item.dataset.jobId = job.id;
    item.querySelector('.cancel').addEventListener('click', () => cancel(job.id));
    insertSorted(item, job);
  }
  item.dataset.status = job.status;
  const badge = item.querySelector('.badge');
  badge.textContent = job.status.replace('_', ' ');
  badge.dataset.status = job.status;
  const prompt = item.querySelector('.prompt');
  prompt.textContent = job.prompt;
  prompt.title = job.prompt;
  const bar = item.querySelector('.progress');
  bar.setAttribute('aria-valuenow', String(job.progress));
  bar.setAttribute('aria-label', `Progress of "${job.prompt.slice(0, 40)}"`);
  item.querySelector('.bar').style.width = `${job.progress}%`;
  item.querySelector('.percent').textContent = `${job.progress} %`;
  item.querySelector('.model').textContent = `${job.model} via ${job.provider}`;
  item.querySelector('.reason').textContent = job.status_reason ?? '';
  item.querySelector('.job-error').textContent = job.error ? job.error.message : '';
  item.querySelector('.cancel').hidden = TERMINAL.has(job.status);
  const video = item.querySelector('.player');
  if (job.status === 'completed' && job.links.content && !video.src) {
    video.src = job.links.content;
    video.hidden = false;
  }
  empty.hidden = true;
  return item;
}

function insertSorted(item, job) {
  const after = [...list.children].find((other) => jobs.get(other.dataset.jobId)?.job.created_at < job.created_at);
  list.insertBefore(item, after ?? null);
}

// Events and list pages may arrive in any order: keep whichever copy of a job is newest.
function upsert(job) {
  const known = jobs.get(job.id);
  if (known && known.job.updated_at > job.updated_at) return;
  const element = render(job);
  jobs.set(job.id, { job, element });
}

async function cancel(id) {
  const response = await api(`/api/v1/jobs/${id}/cancel`, { method: 'POST' });
  if (response.ok) upsert(await response.json());
}

function connect() {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => { connection.textContent = '● Live'; connection.dataset.state = 'live'; });
  source.addEventListener('error', () => {
    connection.textContent = 'Reconnecting…';
    connection.dataset.state = 'reconnecting';
  });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (event) => upsert(JSON.parse(event.data)));
  }
}

async function loadJobs() {
  const response = await api('/api/v1/jobs?limit=50');
  if (response.ok) (await response.json()).data.forEach(upsert);
}

async function start() {
  promptInput.addEventListener('input', updateCount);
  modelSelect.addEventListener('change', applyModel);
  form.addEventListener('submit', submit);
  const response = await api('/api/v1/models');
  const catalog = await response.json();
  models = new Map(catalog.data.map((model) => [model.id, model]));
  for (const option of modelSelect.options) {
    const model = models.get(option.value);
    if (model && model.status !== 'available') {
      option.disabled = true;
      option.textContent += ` (${model.status})`;
    }
  }
  applyModel();
  connect();
  await loadJobs();
  document.body.dataset.ready = 'true';
}

start();
