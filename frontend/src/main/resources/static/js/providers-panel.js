// The providers panel: the instances that take jobs, each on one compact row (how busy, its limits); the ones not
// set up are folded away under one line (open by default only when something other than the simulator is on), each
// with its setup hint in a detail view.
import { getJson } from './api.js';
import { plural } from './format.js';

export class ProvidersPanel {
  constructor() {
    this.list = document.getElementById('providers');
    this.off = document.getElementById('providers-off');
    this.more = document.getElementById('providers-more');
    this.pending = null;
    this.byName = new Map();
    // The last answer drawn, and whether the fold was opened or closed once (then it is the person's).
    this.drawn = null;
    this.opened = false;
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
    // Redrawn only when something changed, so a row being read or a setup hint left open is not replaced for nothing.
    const drawn = JSON.stringify(answer);
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    this.byName.clear();
    answer.data.forEach((provider) => this.byName.set(provider.name, provider));
    const on = answer.data.filter((provider) => provider.state === 'enabled');
    const off = answer.data.filter((provider) => provider.state !== 'enabled');
    const window = answer.rate_limit_window_minutes;
    this.list.replaceChildren(...on.map((provider) => this.item(provider, window)));
    if (!on.length) this.list.replaceChildren(note('No provider takes jobs: set one up below.'));
    this.off.replaceChildren(...off.map((provider) => this.item(provider, window)));
    this.more.hidden = off.length === 0;
    document.getElementById('providers-more-summary').textContent = `${off.length} more not taking jobs`;
    document.getElementById('providers-summary').textContent = `${on.length} of ${answer.data.length} on`;
    // Folded when only the simulator is on (a fresh install); once a real provider is on, the rest matter more.
    if (!this.opened) {
      this.opened = true;
      this.more.open = on.some((provider) => !provider.simulator) || on.length === 0;
    }
  }

  item(provider, window) {
    const li = document.createElement('li');
    li.className = 'provider';
    li.dataset.provider = provider.name;
    const head = document.createElement('div');
    head.className = 'provider-head';
    const title = document.createElement('span');
    title.className = 'provider-title';
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
    head.append(title, state);
    li.append(head);

    const limits = provider.limits ?? {};
    const polling = limits.poll_interval_ms ? `polls every ${seconds(limits.poll_interval_ms)}` : null;
    const timeout = limits.timeout_ms ? `timeout ${seconds(limits.timeout_ms)}` : null;
    const models = provider.models?.length ? plural(provider.models.length, 'model') : 'no models';
    if (provider.state === 'enabled') {
      const stats = document.createElement('p');
      stats.className = 'provider-stats';
      stats.append(
        stat(provider.in_flight, 'in flight', 'in-flight'),
        stat(provider.queued, 'queued', 'queued'),
        stat(provider.rate_limited_recently, `429s in ${window} min`, 'rate-limited', provider.rate_limited_recently > 0),
      );
      const about = document.createElement('p');
      about.className = 'hint provider-about';
      about.textContent = [models, polling, timeout].filter(Boolean).join(' · ');
      li.append(stats, about);
    } else {
      // Why it is off and how to turn it on (often a long environment variable name, which wraps).
      const setup = document.createElement('details');
      setup.className = 'provider-setup';
      const summary = document.createElement('summary');
      summary.textContent = 'How to set it up';
      const reason = document.createElement('p');
      reason.className = 'hint';
      reason.textContent = [provider.state_reason, models].filter(Boolean).join(' · ');
      setup.append(summary, reason);
      li.append(setup);
    }
    return li;
  }
}

function note(words) {
  const li = document.createElement('li');
  li.className = 'hint';
  li.textContent = words;
  return li;
}

function stat(value, label, key, alert = false) {
  const box = document.createElement('span');
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
