// The dashboard: submit, a live job list from the all-jobs stream, activity over time, providers.
import { getJson } from './api.js';
import { ActivityChart } from './activity-chart.js';
import { showBudget } from './budget-line.js';
import { JobList } from './job-list.js';
import { LiveStream } from './live-stream.js';
import { ProvidersPanel } from './providers-panel.js';
import { SubmitForm } from './submit-form.js';
import { setUpThemeToggle } from './theme-toggle.js';

class DashboardPage {
  constructor() {
    this.announcer = document.getElementById('announcer');
    this.budgetLine = document.getElementById('budget-line');
    this.providers = new ProvidersPanel();
    this.chart = new ActivityChart();
    this.models = new Map();
    this.jobs = null;
    this.form = null;
    this.stream = null;
  }

  announce(words) {
    this.announcer.textContent = words;
  }

  async start() {
    setUpThemeToggle(document.getElementById('theme-toggle'));
    showBudget(this.budgetLine);
    const catalog = await getJson('/api/v1/models');
    this.models = new Map((catalog?.data ?? []).map((model) => [model.id, model]));
    const announce = (words) => this.announce(words);
    this.jobs = new JobList({
      models: this.models,
      announce,
      // A job that changed moves the chart and the providers' counts (redrawn shortly after, not per event).
      onChange: () => { this.chart.soon(); this.providers.soon(); },
    });
    this.form = new SubmitForm({
      models: this.models,
      providers: await this.providers.start(),
      onCreated: (job) => { this.jobs.upsert(job); this.announce('Job queued.'); showBudget(this.budgetLine); },
      announce,
    });
    this.form.start();
    this.jobs.start();
    const params = new URLSearchParams(location.search);
    if (params.get('remix_of')) await this.form.remix(params.get('remix_of'));
    else if (params.get('edit_of')) await this.form.remix(params.get('edit_of'), { asVariation: false });

    // The list loads each time the stream opens, not before: a job created before the stream was listening is in
    // the list, one created after it arrives as an event, and after a reconnect the reload catches anything older
    // than the stream keeps. One load per open (a load before it would only be repeated).
    // Should the stream not open soon (the browser out of connections to this server, say), the list loads anyway:
    // a page without live updates still shows the jobs.
    let listed;
    const firstList = new Promise((resolve) => { listed = resolve; });
    const withoutStream = setTimeout(() => this.jobs.load().then(listed), 5000);
    this.stream = new LiveStream('/api/v1/events', {
      indicator: document.getElementById('connection'),
      onEvent: (type, job) => (type === 'job.deleted' ? this.jobs.forget(job.id) : this.jobs.upsert(job)),
      onOpen: () => { clearTimeout(withoutStream); return this.jobs.load().then(listed); },
      onReset: () => this.jobs.load(),
    }).start();
    // Reachable from the console (and the browser tests) to look at the stream's state.
    window.reelay = { stream: this.stream };
    await Promise.all([firstList, this.chart.start()]);
    performance.mark('reelay-ready');
    document.body.dataset.ready = 'true';
  }
}

new DashboardPage().start();
