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
    onChange: () => { chart.soon(); providers.soon(); },
  });
  const form = new SubmitForm({
    models,
    providers: await providers.start(),
    onCreated: (job) => { jobs.upsert(job); announce('Job queued.'); showBudget(budgetLine); },
  });
  form.start();
  jobs.start();
  const remixOf = new URLSearchParams(location.search).get('remix_of');
  if (remixOf) await form.remix(remixOf);

  // The list loads at once and again when the stream opens, so a job created before the stream was listening is
  // not missed; after a reconnect the stream replays from its last event id and the reload catches anything older.
  const stream = new LiveStream('/api/v1/events', {
    indicator: document.getElementById('connection'),
    onEvent: (type, job) => jobs.upsert(job),
    onOpen: () => jobs.load(),
    onReset: () => jobs.load(),
  }).start();
  // Reachable from the console (and the browser tests) to look at the stream's state.
  window.reelay = { stream };
  await jobs.load();
  await chart.start();
  document.body.dataset.ready = 'true';
}

start();
