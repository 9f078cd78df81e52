// The peer of Reelay's dispatch benchmark (bench/m2-m3-dispatch.sh): graphile-worker on the same PostgreSQL.
//   node bench.mjs drain <jobs> <batched|default>   -> "BENCH M2 mode=... jobs=... seconds=... jobs_per_s=..."
//   node bench.mjs latency <rate> <seconds>         -> "BENCH M3 rate=... n=... p50=... p99=... max=..."
// drain: jobs inserted first (one statement), then a worker started and timed until every task ran.
// latency: jobs added one at a time at <rate> per second while the worker runs; run_at (the insert's now()) to the
// moment the task starts. Both with 32 concurrent jobs, like Reelay's default dispatch concurrency.
import pg from "pg";
import { Logger, run, runMigrations } from "graphile-worker";

const connectionString = process.env.DATABASE_URL;
const concurrency = Number(process.env.GRAPHILE_CONCURRENCY ?? 32);
const [, , what, a, b] = process.argv;

// Silent: the worker's per-job logging would measure the console.
const logger = new Logger(() => () => {});

function preset(batched) {
  return {
    worker: batched
      ? { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }
      : {},
  };
}

async function drain(jobs, mode) {
  await runMigrations({ connectionString, logger });
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query("DELETE FROM graphile_worker._private_jobs");
  await client.query(
    "SELECT count(graphile_worker.add_job('bench', json_build_object('i', i))) FROM generate_series(1, $1) i",
    [jobs],
  );
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const start = process.hrtime.bigint();
  const runner = await run({
    connectionString,
    concurrency,
    maxPoolSize: concurrency + 2,
    noHandleSignals: true,
    pollInterval: 2000,
    logger,
    preset: preset(mode === "batched"),
    taskList: {
      bench: async () => {
        if (++done === jobs) finish();
      },
    },
  });
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await runner.stop();
  await client.end();
  console.log(
    `BENCH M2 mode=${mode} jobs=${jobs} seconds=${seconds.toFixed(1)} jobs_per_s=${Math.round(jobs / seconds)}`,
  );
}

async function latency(rate, seconds) {
  await runMigrations({ connectionString, logger });
  const count = Math.round(rate * seconds);
  const warmUp = 500;
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query("DELETE FROM graphile_worker._private_jobs");
  const latencies = [];
  let started = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  let measuring = false;
  const runner = await run({
    connectionString,
    concurrency,
    maxPoolSize: concurrency + 2,
    noHandleSignals: true,
    logger,
    taskList: {
      bench: async (payload, helpers) => {
        const now = Date.now();
        if (payload.measured) {
          latencies.push(now - new Date(helpers.job.run_at).getTime());
        }
        if (++started === (measuring ? count : warmUp)) finish();
      },
    },
  });
  // Warm-up at 100/s (the JIT, the pool), not measured; Reelay's side does the same.
  await paced(client, 100, warmUp, false);
  await finished;
  started = 0;
  measuring = true;
  const measured = new Promise((resolve) => (finish = resolve));
  await paced(client, rate, count, true);
  await measured;
  await runner.stop();
  await client.end();
  latencies.sort((x, y) => x - y);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  console.log(
    `BENCH M3 rate=${rate} n=${latencies.length} p50=${pct(0.5)} p99=${pct(0.99)} max=${latencies[latencies.length - 1]}`,
  );
}

// Adds `count` jobs at `rate` per second, each its own statement (like an API request), on a schedule, not a loop of
// waits: a late add does not push back the ones after it.
async function paced(client, rate, count, measured) {
  const pool = new pg.Pool({ connectionString, max: 8 });
  const start = Date.now();
  const adds = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    adds.push(pool.query("SELECT graphile_worker.add_job('bench', json_build_object('measured', $1::boolean))", [measured]));
  }
  await Promise.all(adds);
  await pool.end();
}

if (what === "drain") {
  await drain(Number(a), b ?? "batched");
} else if (what === "latency") {
  await latency(Number(a), Number(b));
} else {
  console.error("usage: node bench.mjs drain <jobs> <batched|default> | latency <rate> <seconds>");
  process.exit(2);
}
