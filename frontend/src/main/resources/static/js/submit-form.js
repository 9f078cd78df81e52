// The "New video" form: choices follow the chosen model, the cost is shown before submitting, and the API's
// problems are shown next to the field they name.
import { api, estimateCost, problemOf } from './api.js';
import { money, shorten } from './format.js';
import { IMAGE_MAX_BYTES, IMAGE_SIZE_WORDS, IMAGE_TYPE_WORDS, IMAGE_TYPES } from './vocabulary.js';

const ESTIMATE_DELAY_MS = 150;

const $ = (id) => document.getElementById(id);

// Capabilities may be listed flat or under "capabilities"; absent means "no".
function can(model, capability) {
  return Boolean(model?.capabilities?.[capability] ?? model?.[capability]);
}

export class SubmitForm {
  constructor({ models, providers, onCreated, announce = () => {} }) {
    this.models = models;
    this.providers = providers;
    this.onCreated = onCreated;
    this.announce = announce;
    // The estimate waiting to be asked for (debounced) and the one under way (aborted when a newer one starts).
    this.estimateSoon = null;
    this.estimating = null;
    this.form = $('job-form');
    this.prompt = $('prompt');
    this.model = $('model');
    this.image = null;
    this.remixOf = null;
  }

  start() {
    for (const option of this.model.options) {
      const model = this.models.get(option.value);
      if (model && model.status !== 'available') {
        option.disabled = true;
        option.textContent += model.status === 'retired'
          ? ` (retired${model.retired_on ? ` ${model.retired_on}` : ''})` : ' (no API key)';
      }
    }
    if (this.model.selectedOptions[0]?.disabled) {
      const usable = [...this.model.options].find((option) => !option.disabled);
      if (usable) this.model.value = usable.value;
    }
    this.prompt.addEventListener('input', () => { this.updateCount(); this.clearError('prompt'); });
    this.model.addEventListener('change', () => this.applyModel());
    for (const id of ['duration_seconds', 'aspect_ratio', 'resolution']) {
      $(id).addEventListener('change', () => { this.updateEstimate(); this.clearError(id); });
    }
    $('image').addEventListener('change', (event) => this.pickImage(event.target.files[0]));
    $('image-clear').addEventListener('click', () => this.pickImage(null));
    $('remix-clear').addEventListener('click', () => this.clearRemix());
    this.form.addEventListener('submit', (event) => this.submit(event));
    this.applyModel();
  }

  current() {
    return this.models.get(this.model.value);
  }

  applyModel() {
    const model = this.current();
    if (!model) return;
    fill($('duration_seconds'), model.durations, (s) => `${s} seconds`);
    fill($('aspect_ratio'), model.aspect_ratios, (ratio) => `${ratio} ${orientation(ratio)}`);
    fill($('resolution'), model.resolutions);
    this.prompt.maxLength = model.max_prompt_length;
    $('model-notes').textContent = model.notes ?? '';
    // The form uploads the file, so the model must take uploads (image_input lists how: upload, url; empty: none).
    const images = (model?.capabilities?.image_input ?? []).includes('upload');
    $('image').disabled = !images;
    $('image').closest('.image-field').dataset.disabled = String(!images);
    $('image-hint').textContent = images ? `${IMAGE_TYPE_WORDS} up to ${IMAGE_SIZE_WORDS}; the video starts from it.`
      : `${model.display_name} takes text only.`;
    if (!images) this.pickImage(null);
    this.updateCount();
    this.updateEstimate();
    this.clearError('model');
  }

  updateCount() {
    const used = this.prompt.value.length;
    const max = this.prompt.maxLength;
    const counter = $('prompt-count');
    counter.textContent = `${used.toLocaleString()} / ${max.toLocaleString()}`;
    counter.dataset.level = used > max ? 'over' : used > max * 0.9 ? 'near' : 'ok';
  }

  // The API prices the request (POST /api/v1/jobs/estimate): the page never works a price out itself, so the
  // number shown is the API's, with the route, budget and price rules only the server knows. Asked for once the
  // choices settle (debounced); a newer question aborts the one under way, so an older answer never overwrites a
  // newer one. The price does not depend on the prompt's words, so an empty prompt is priced as a placeholder one.
  updateEstimate() {
    clearTimeout(this.estimateSoon);
    this.estimateSoon = setTimeout(() => this.estimate(), ESTIMATE_DELAY_MS);
  }

  async estimate() {
    this.estimating?.abort();
    const asking = new AbortController();
    this.estimating = asking;
    const body = this.body();
    if (!body.prompt.trim()) body.prompt = 'estimate';
    delete body.remix_of;
    const cost = await estimateCost(body, { signal: asking.signal });
    if (cost?.aborted || asking.signal.aborted) return;
    this.estimating = null;
    const provider = this.providers.get(this.current()?.provider);
    const value = $('estimate-value');
    value.textContent = cost?.problem ? 'not available'
      : cost ? money(Number(cost.amount), cost.currency)
        : provider?.simulator ? 'free (simulator)' : 'no price listed';
    value.title = cost?.problem ? (cost.problem.detail ?? cost.problem.title ?? '') : '';
  }

  pickImage(file) {
    const preview = $('image-preview');
    this.clearError('image');
    if (preview.src) URL.revokeObjectURL(preview.src);
    if (!file) {
      this.image = null;
      $('image').value = '';
      preview.hidden = true;
      preview.removeAttribute('src');
      $('image-clear').hidden = true;
      return;
    }
    if (!IMAGE_TYPES.includes(file.type) || file.size > IMAGE_MAX_BYTES) {
      this.pickImage(null);
      this.showProblem({ field: 'image', detail: `Choose a ${IMAGE_TYPE_WORDS} image of at most ${IMAGE_SIZE_WORDS}.` });
      return;
    }
    this.image = file;
    preview.src = URL.createObjectURL(file);
    preview.alt = `Preview of ${file.name}`;
    preview.hidden = false;
    $('image-clear').hidden = false;
  }

  // Fills the form from an earlier job so its variation differs only where the person changes it. Not as a
  // variation (asVariation false): the prompt to edit after moderation refused it, sent as a new job.
  async remix(jobId, { asVariation = true } = {}) {
    const response = await api(`/api/v1/jobs/${encodeURIComponent(jobId)}`);
    if (!response.ok) return;
    const job = await response.json();
    if (this.models.get(job.model)?.status === 'available') {
      this.model.value = job.model;
      this.applyModel();
    }
    setIfPresent($('duration_seconds'), job.parameters.duration_seconds);
    setIfPresent($('aspect_ratio'), job.parameters.aspect_ratio);
    setIfPresent($('resolution'), job.parameters.resolution);
    setIfPresent($('priority'), priorityOption(job.priority));
    this.prompt.value = job.prompt;
    this.updateCount();
    this.updateEstimate();
    this.prompt.focus();
    if (!asVariation) {
      forgetSource();
      this.announce('The prompt of the refused job is in the form: change it and generate again.');
      return;
    }
    this.remixOf = job;
    $('remix-source').textContent = `“${shorten(job.prompt, 50)}”`;
    $('remix-source').href = `/jobs/${job.id}`;
    $('remix-note').hidden = false;
  }

  clearRemix() {
    this.remixOf = null;
    $('remix-note').hidden = true;
    forgetSource();
  }

  body() {
    const model = this.current();
    const body = {
      model: this.model.value,
      prompt: this.prompt.value,
      duration_seconds: Number($('duration_seconds').value),
      aspect_ratio: $('aspect_ratio').value,
      resolution: $('resolution').value,
    };
    if ($('priority').value !== '0') body.priority = Number($('priority').value);
    // Sent only for a model that says it can remix: the job API rejects what it does not understand.
    if (this.remixOf && can(model, 'remix')) body.remix_of = this.remixOf.id;
    return body;
  }

  async submit(event) {
    event.preventDefault();
    this.clearErrors();
    const button = $('submit');
    button.disabled = true;
    button.textContent = 'Submitting…';
    const body = this.body();
    let payload = JSON.stringify(body);
    if (this.image) {
      payload = new FormData();
      for (const [key, value] of Object.entries(body)) payload.append(key, String(value));
      payload.append('image', this.image);
    }
    try {
      const response = await api('/api/v1/jobs', { method: 'POST', body: payload });
      if (!response.ok) {
        this.showProblem(await problemOf(response));
        return;
      }
      this.onCreated(await response.json());
      this.prompt.value = '';
      this.pickImage(null);
      if (this.remixOf) this.clearRemix();
      this.updateCount();
      // Ready for the next prompt; the new job is announced (and shown at the top of the list).
      this.prompt.focus();
    } catch {
      this.showProblem({ detail: 'Reelay could not be reached. Check that it is running and the connection, then try again.' });
    } finally {
      button.disabled = false;
      button.textContent = 'Generate video';
      // The pressed button was disabled while sending, which drops focus to the page: put it somewhere useful.
      if (document.activeElement === document.body || document.activeElement === null) button.focus();
    }
  }

  clearErrors() {
    this.form.querySelectorAll('[data-error-for]').forEach((el) => { el.textContent = ''; });
    this.form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  }

  clearError(field) {
    const target = this.form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (target) target.textContent = '';
    $(field)?.removeAttribute('aria-invalid');
  }

  // Every problem the API names goes next to its field; one about nothing on the form goes under the button.
  showProblem(problem) {
    const errors = problem.errors?.length ? problem.errors
      : [{ field: problem.field ?? '', message: problem.detail ?? problem.title ?? 'The request was rejected.' }];
    let first = null;
    for (const { field, message } of errors) {
      const target = this.form.querySelector(`[data-error-for="${CSS.escape(field ?? '')}"]`)
        ?? this.form.querySelector('[data-error-for=""]');
      target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
      const input = field && $(field);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        first ??= input;
      }
    }
    if (first) {
      first.focus();
      return;
    }
    // Nothing on the form to point at (the server unreachable, over budget): the message sits just above the
    // button and takes focus, so it is seen and read where the person is looking.
    const general = this.form.querySelector('[data-error-for=""]');
    general.scrollIntoView({ block: 'nearest' });
    general.focus();
  }
}

// Drops the job the form was filled from from the address (the library's search and page stay).
function forgetSource() {
  const params = new URLSearchParams(location.search);
  params.delete('remix_of');
  params.delete('edit_of');
  const query = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}`);
}

function orientation(ratio) {
  const [w, h] = ratio.split(':').map(Number);
  if (!w || !h) return '';
  return w > h ? 'wide' : w < h ? 'tall' : 'square';
}

function fill(select, values, format = (v) => String(v)) {
  const previous = select.value;
  select.replaceChildren(...values.map((value) => new Option(format(value), String(value))));
  if (values.map(String).includes(previous)) select.value = previous;
}

function setIfPresent(select, value) {
  if ([...select.options].some((option) => option.value === String(value))) select.value = String(value);
}

// The API takes any whole number from -100 to 100; the form offers three steps of it.
function priorityOption(priority) {
  if (priority === undefined || priority === null) return undefined;
  return priority > 0 ? '10' : priority < 0 ? '-10' : '0';
}
