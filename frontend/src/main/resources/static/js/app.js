// The dashboard: submit, a live job list from the all-jobs stream, activity over time, providers.
import { getJson } from './api.js';
import { showBudget } from './budget.js';
import { ActivityChart } from './chart.js';
import { SubmitForm } from './form.js';
import { JobList } from './jobs.js';
import { LiveStream } from './live.js';
import { ProvidersPanel } from './providers.js';
import { setUpThemeToggle } from './theme.js';

const announcer = document.getElementById('announcer');
const announce = (words) => { announcer.textContent = words; };

async function start() {
  setUpThemeToggle(document.getElementById('theme-toggle'));
  const budgetLine = document.getElementById('budget-line');
  showBudget(budgetLine);
  const catalog = await getJson('/api/v1/models');
  const models = new Map((catalog?.data ?? []).map((model) => [model.id, model]));
  const providers = new ProvidersPanel();
  const chart = new ActivityChart();
  const jobs = new JobList({
    models,
    announce,
    // A job that changed moves the chart and the providers' counts (redrawn shortly after, not per event).
    onChange: () => { chart.soon(); providers.soon(); },
  });
  const form = new SubmitForm({
    models,
    providers: await providers.start(),
    onCreated: (job) => { jobs.upsert(job); announce('Job queued.'); showBudget(budgetLine); },
    announce,
  });
  form.start();
  jobs.start();
  const params = new URLSearchParams(location.search);
  if (params.get('remix_of')) await form.remix(params.get('remix_of'));
  else if (params.get('edit_of')) await form.remix(params.get('edit_of'), { asVariation: false });

  // The list loads each time the stream opens, not before: a job created before the stream was listening is in
  // the list, one created after it arrives as an event, and after a reconnect the reload catches anything older
  // than the stream keeps. One load per open (a load before it would only be repeated).
  // Should the stream not open soon (the browser out of connections to this server, say), the list loads anyway:
  // a page without live updates still shows the jobs.
  let listed;
  const firstList = new Promise((resolve) => { listed = resolve; });
  const withoutStream = setTimeout(() => jobs.load().then(listed), 5000);
  const stream = new LiveStream('/api/v1/events', {
    indicator: document.getElementById('connection'),
    onEvent: (type, job) => (type === 'job.deleted' ? jobs.forget(job.id) : jobs.upsert(job)),
    onOpen: () => { clearTimeout(withoutStream); return jobs.load().then(listed); },
    onReset: () => jobs.load(),
  }).start();
  // Reachable from the console (and the browser tests) to look at the stream's state.
  window.reelay = { stream };
  await Promise.all([firstList, chart.start()]);
  performance.mark('reelay-ready');
  document.body.dataset.ready = 'true';
}

start();
