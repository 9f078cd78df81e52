// The providers panel: each configured instance, whether it takes jobs, its limits and how busy it is.
import { getJson } from './api.js';
import { plural } from './format.js';

export class ProvidersPanel {
  constructor() {
    this.list = document.getElementById('providers');
    this.pending = null;
    this.byName = new Map();
  }

  async start() {
    setInterval(() => this.refresh(), 15000);
    await this.refresh();
    return this.byName;
  }

  soon() {
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.refresh(); }, 1500);
  }

  async refresh() {
    const answer = await getJson('/api/v1/providers');
    if (!answer) return;
    this.byName.clear();
    answer.data.forEach((provider) => this.byName.set(provider.name, provider));
    this.list.replaceChildren(...answer.data.map((provider) => this.item(provider, answer.rate_limit_window_minutes)));
  }

  item(provider, window) {
    const li = document.createElement('li');
    li.className = 'provider';
    li.dataset.provider = provider.name;
    const head = document.createElement('div');
    head.className = 'provider-head';
    const title = document.createElement('div');
    const name = document.createElement('span');
    name.className = 'provider-name';
    name.textContent = provider.name;
    const family = document.createElement('span');
    family.className = 'provider-family';
    family.textContent = ` · ${provider.family}`;
    title.append(name, family);
    const state = document.createElement('span');
    state.className = 'state';
    state.dataset.state = provider.state;
    state.textContent = provider.state;
    state.title = provider.state_reason;
    head.append(title, state);

    const stats = document.createElement('div');
    stats.className = 'provider-stats';
    stats.append(
      stat(provider.in_flight, 'in flight', 'in-flight'),
      stat(provider.queued, 'queued', 'queued'),
      stat(provider.rate_limited_recently, `429s in ${window} min`, 'rate-limited', provider.rate_limited_recently > 0),
    );
    const about = document.createElement('p');
    about.className = 'hint';
    const limits = provider.limits ?? {};
    const polling = limits.poll_interval_ms ? `polls every ${seconds(limits.poll_interval_ms)}` : null;
    const timeout = limits.timeout_ms ? `timeout ${seconds(limits.timeout_ms)}` : null;
    const models = provider.models?.length ? plural(provider.models.length, 'model') : 'no models';
    about.textContent = [provider.state_reason, models, polling, timeout].filter(Boolean).join(' · ');
    li.append(head, stats, about);
    return li;
  }
}

function stat(value, label, key, alert = false) {
  const box = document.createElement('div');
  box.className = 'stat';
  box.dataset.stat = key;
  box.dataset.alert = String(alert);
  const number = document.createElement('b');
  number.textContent = String(value ?? 0);
  const words = document.createElement('span');
  words.textContent = label;
  box.append(number, words);
  return box;
}

function seconds(ms) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
