package dev.reelay.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.reelay.provider.AdversarialVideos;
import dev.reelay.provider.AdversarialVideos.Fault;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One seeded run of the fault campaign on a {@link FaultRig}: jobs submitted through both instances' REST API on a
 * schedule drawn from the seed, while the same seed draws the faults (graceful restarts, SIGKILLs,
 * {@code pg_terminate_backend}, a PostgreSQL restart, slow and failing provider spells) and the cancels. The run then
 * lets everything settle and checks the invariants on the stand-in's ledger and the database ({@link Invariants}).
 * <p>
 * Reproducible in what it does and when: the schedule, the jobs and the stand-in's draws come from the seed. How
 * Reelay's own threads interleave with them does not, which is the point: a run that breaks an invariant is rerun
 * with its seed to see the same schedule again.
 */
final class Campaign {

	enum Disruption {

		GRACEFUL_RESTART, KILL, TERMINATE_BACKENDS, POSTGRES_RESTART, SLOW_PROVIDER, FAILING_PROVIDER, CALM_PROVIDER

	}

	record Event(long atMillis, Disruption disruption, int instance) {
	}

	/** What a run did and found. */
	record Report(long seed, Duration duration, int jobs, Map<String, Integer> faults, List<String> violations,
			List<String> known, Invariants.Recovery longestRecovery, Map<String, Integer> outcomes) {

		String summary() {
			return "chaos seed=" + this.seed + " ran " + this.duration.toSeconds() + " s: jobs=" + this.jobs
					+ " outcomes=" + this.outcomes + " faults=" + this.faults + " violations=" + this.violations.size()
					+ " known=" + this.known.size() + " longest-recovery=" + this.longestRecovery
					+ (this.violations.isEmpty() ? "" : "\n  - " + String.join("\n  - ", this.violations))
					+ (this.known.isEmpty() ? "" : "\n  (known) " + String.join("\n  (known) ", this.known));
		}

	}

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final FaultRig rig;

	private final long seed;

	private final Duration duration;

	private final int jobCount;

	private final Duration settle;

	private final String prefix;

	private final Map<String, Integer> faults = new ConcurrentHashMap<>();

	private final List<String> trouble = new CopyOnWriteArrayList<>();

	/** Per disruptive fault: when, and which jobs it caught mid-flight. */
	private final List<Invariants.Disrupted> disrupted = new CopyOnWriteArrayList<>();

	Campaign(FaultRig rig, long seed, Duration duration, int jobs, Duration settle) {
		this.rig = rig;
		this.seed = seed;
		this.duration = duration;
		this.jobCount = jobs;
		this.settle = settle;
		this.prefix = "s" + Long.toUnsignedString(seed, 36) + "-" + Long.toString(System.nanoTime() % 100_000, 36)
				+ "-";
	}

	Report run() throws Exception {
		Random random = new Random(this.seed);
		AdversarialVideos provider = this.rig.provider;
		provider.reseed(random.nextLong());
		baseline(provider);
		List<Event> schedule = schedule(random);
		List<Long> submitAt = new ArrayList<>();
		for (int i = 0; i < this.jobCount; i++) {
			submitAt.add((long) (random.nextDouble() * this.duration.toMillis() * 0.7));
		}
		Collections.sort(submitAt);
		List<Long> cancelAfter = new ArrayList<>();
		for (int i = 0; i < this.jobCount; i++) {
			cancelAfter.add((random.nextDouble() < 0.2) ? (long) (random.nextDouble() * 8000) : -1L);
		}
		Map<Disruption, Integer> planned = new EnumMap<>(Disruption.class);
		schedule.forEach((event) -> planned.merge(event.disruption(), 1, Integer::sum));
		System.out.println("chaos seed=" + this.seed + " schedule " + planned + " jobs=" + this.jobCount);

		Map<Fault, Integer> injectedBefore = provider.injected();
		Map<String, Integer> crashesBefore = crashes();
		long started = System.nanoTime();
		Instant startedAt = Instant.now();
		EventWatcher watcher = new EventWatcher(this.rig::ready, maxEventId());
		ScheduledExecutorService clients = Executors.newScheduledThreadPool(4);
		Map<Integer, String> jobIds = new ConcurrentHashMap<>();
		for (int i = 0; i < this.jobCount; i++) {
			int n = i;
			clients.schedule(() -> {
				String id = submit(n);
				if (id != null) {
					jobIds.put(n, id);
					if (cancelAfter.get(n) >= 0) {
						clients.schedule(() -> cancel(id), cancelAfter.get(n), TimeUnit.MILLISECONDS);
					}
				}
			}, submitAt.get(i), TimeUnit.MILLISECONDS);
		}
		for (Event event : schedule) {
			long wait = event.atMillis() - (System.nanoTime() - started) / 1_000_000;
			if (wait > 0) {
				ReelayProcess.pause(Duration.ofMillis(wait));
			}
			if (event.disruption() == Disruption.KILL || event.disruption() == Disruption.GRACEFUL_RESTART) {
				ReelayProcess victim = this.rig.instances.get(event.instance());
				if (victim.ready() || victim.awaitReady(FaultRig.READY)) {
					// The stream is on the victim when the fault hits, so it must resume elsewhere.
					watcher.follow(victim, Duration.ofSeconds(15));
				}
			}
			inject(event, random);
		}
		long rest = this.duration.toMillis() - (System.nanoTime() - started) / 1_000_000;
		if (rest > 0) {
			ReelayProcess.pause(Duration.ofMillis(rest));
		}
		clients.shutdown();
		clients.awaitTermination(60, TimeUnit.SECONDS);
		// Settle: the provider calm again, both instances up, then every job must end by itself.
		provider.calm();
		baselineDelays(provider);
		for (ReelayProcess instance : this.rig.instances) {
			if (!instance.ready() && !instance.awaitReady(FaultRig.READY)) {
				this.trouble.add(instance.name + " did not come back up after the campaign");
			}
		}
		// Waits without failing: what has not settled by then is reported by the invariants.
		settles(this.settle, Duration.ofMillis(500), () -> openJobs() == 0);
		// The stream has until then plus a little to deliver what the log holds.
		long lastInLog = maxEventIdOfRun();
		settles(Duration.ofSeconds(20), Duration.ofMillis(200), () -> watcher.lastId() >= lastInLog);
		watcher.close();
		Duration ran = Duration.ofNanos(System.nanoTime() - started);

		Map<String, Integer> faultCounts = new TreeMap<>(this.faults);
		provider.injected().forEach((fault, count) -> faultCounts.merge("provider." + fault.name().toLowerCase(),
				count - injectedBefore.getOrDefault(fault, 0), Integer::sum));
		crashes().forEach((name, count) -> {
			if (count > crashesBefore.get(name)) {
				faultCounts.put("crashed-and-restarted." + name, count - crashesBefore.get(name));
			}
		});
		faultCounts.put("sse.reconnects", watcher.reconnects.get());
		Invariants.Findings findings;
		try (Connection db = this.rig.jdbc()) {
			findings = new Invariants(db, provider, this.prefix, startedAt).check(watcher, this.disrupted);
		}
		List<String> violations = new ArrayList<>(this.trouble);
		violations.addAll(findings.violations());
		return new Report(this.seed, ran, findings.jobs(), faultCounts, violations, findings.known(),
				findings.longestRecovery(), findings.outcomes());
	}

	/** Faults the provider always has a little of; spells of worse come from the schedule. */
	private static void baseline(AdversarialVideos provider) {
		provider.calm();
		provider.inject(Fault.CREATE_ANSWERED_LATE, 0.08);
		provider.inject(Fault.CREATE_NEVER_ANSWERED, 0.03);
		provider.inject(Fault.CREATE_THEN_5XX, 0.05);
		provider.inject(Fault.TOO_MANY_REQUESTS, 0.03);
		provider.inject(Fault.HANG, 0.005);
		provider.inject(Fault.HTML_502, 0.02);
		provider.inject(Fault.GARBAGE_JSON, 0.02);
		provider.inject(Fault.TRUNCATED_DOWNLOAD, 0.1);
		provider.inject(Fault.ODD_COST, 0.05);
		provider.inject(Fault.UNKNOWN_STATUS, 0.02);
		baselineDelays(provider);
	}

	private static void baselineDelays(AdversarialVideos provider) {
		provider.answerDelay = Duration.ZERO;
		provider.listDelay = Duration.ofSeconds(2);
		provider.generationTime = Duration.ofSeconds(3);
		provider.contentDelay = Duration.ZERO;
		provider.failureRate = 0.1;
	}

	/**
	 * First a shuffled deck that holds one of each database fault, one instance fault (a SIGKILL or a graceful
	 * restart, by the seed) and one provider spell, spread over the run, so that even a short run meets each; then,
	 * in a long run, a disruption of any kind every 5 to 12 s.
	 */
	private List<Event> schedule(Random random) {
		List<Disruption> deck = new ArrayList<>(List.of(random.nextBoolean() ? Disruption.KILL : Disruption.GRACEFUL_RESTART,
				Disruption.TERMINATE_BACKENDS, Disruption.POSTGRES_RESTART,
				random.nextBoolean() ? Disruption.SLOW_PROVIDER : Disruption.FAILING_PROVIDER));
		Collections.shuffle(deck, random);
		long spacing = Math.min(12_000, (long) (this.duration.toMillis() * 0.8 / deck.size()));
		List<Event> events = new ArrayList<>();
		long at = 2000;
		for (Disruption disruption : deck) {
			events.add(new Event(at + random.nextInt((int) Math.max(1, spacing / 2)), disruption, random.nextInt(2)));
			at += spacing;
		}
		Disruption[] kinds = Disruption.values();
		at += random.nextInt(5000);
		while (at < this.duration.toMillis() * 0.85) {
			events.add(new Event(at, kinds[random.nextInt(kinds.length)], random.nextInt(2)));
			at += 5000 + random.nextInt(7000);
		}
		return events;
	}

	private void inject(Event event, Random random) throws Exception {
		this.faults.merge(event.disruption().name().toLowerCase(), 1, Integer::sum);
		AdversarialVideos provider = this.rig.provider;
		switch (event.disruption()) {
			case GRACEFUL_RESTART, KILL -> {
				// Never both down at once: the API must stay reachable for the clients.
				ReelayProcess victim = this.rig.instances.get(event.instance());
				ReelayProcess other = this.rig.instances.get(1 - event.instance());
				if (!other.ready() && !other.awaitReady(FaultRig.READY)) {
					this.trouble.add(other.name + " did not come back up");
				}
				if (!victim.ready() && !victim.awaitReady(FaultRig.READY)) {
					this.trouble.add(victim.name + " did not come back up");
				}
				Instant at = Instant.now();
				List<String> caught = leasedBy(victim.name);
				if (event.disruption() == Disruption.KILL) {
					victim.kill();
					ReelayProcess.pause(Duration.ofMillis(500 + random.nextInt(2500)));
				}
				else if (!victim.stopGracefully(Duration.ofSeconds(60))) {
					this.trouble.add(victim.name + " did not stop within 60 s of SIGTERM");
				}
				this.disrupted.add(new Invariants.Disrupted(event.disruption().name().toLowerCase() + " " + victim.name,
						at, caught));
				victim.start();
			}
			case TERMINATE_BACKENDS -> {
				Instant at = Instant.now();
				List<String> caught = inFlight();
				try (Connection db = this.rig.jdbc(); Statement statement = db.createStatement()) {
					statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
							+ "WHERE datname = current_database() AND pid <> pg_backend_pid()");
				}
				this.disrupted.add(new Invariants.Disrupted("pg_terminate_backend", at, caught));
			}
			case POSTGRES_RESTART -> {
				Instant at = Instant.now();
				List<String> caught = inFlight();
				this.rig.postgres.restart();
				this.disrupted.add(new Invariants.Disrupted("postgres restart", at, caught));
			}
			case SLOW_PROVIDER -> {
				provider.answerDelay = Duration.ofMillis(1500 + random.nextInt(1000));
				provider.listDelay = Duration.ofSeconds(4);
				provider.generationTime = Duration.ofSeconds(6);
				provider.contentDelay = Duration.ofMillis(1000 + random.nextInt(1500));
			}
			case FAILING_PROVIDER -> {
				provider.inject(Fault.CREATE_ANSWERED_LATE, 0.25);
				provider.inject(Fault.CREATE_THEN_5XX, 0.2);
				provider.inject(Fault.HTML_502, 0.15);
				provider.inject(Fault.GARBAGE_JSON, 0.1);
				provider.inject(Fault.TOO_MANY_REQUESTS, 0.15);
				provider.inject(Fault.TRUNCATED_DOWNLOAD, 0.3);
				provider.failureRate = 0.3;
			}
			case CALM_PROVIDER -> baseline(provider);
		}
	}

	private Map<String, Integer> crashes() {
		Map<String, Integer> crashes = new TreeMap<>();
		this.rig.instances.forEach((instance) -> crashes.put(instance.name, instance.crashes.get()));
		return crashes;
	}

	private String submit(int n) {
		String marker = this.prefix + n;
		// Visible prompts repeat on purpose (a batch of identical prompts); only the hidden marker tells jobs apart.
		String prompt = "A lighthouse in a storm, take " + (n % 3) + " " + AdversarialVideos.marker(marker);
		String body = JsonMapper.shared().writeValueAsString(Map.of("model", FaultRig.MODEL, "prompt", prompt,
				"duration_seconds", 4));
		for (int attempt = 0; attempt < 40; attempt++) {
			List<ReelayProcess> up = this.rig.ready();
			if (up.isEmpty()) {
				ReelayProcess.pause(Duration.ofMillis(500));
				continue;
			}
			ReelayProcess instance = up.get((n + attempt) % up.size());
			try {
				HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(instance.baseUrl()
						+ "/api/v1/jobs"))
					.header("Content-Type", "application/json")
					.header("Idempotency-Key", marker)
					.timeout(Duration.ofSeconds(30))
					.POST(HttpRequest.BodyPublishers.ofString(body))
					.build(), HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 202 || response.statusCode() == 200 || response.statusCode() == 201) {
					return JsonMapper.shared().readTree(response.body()).get("id").asString();
				}
				if (response.statusCode() < 500) {
					this.trouble.add("job " + marker + " was refused: " + response.statusCode() + " " + response.body());
					return null;
				}
			}
			catch (IOException ex) {
				// That instance is going down; the next try goes elsewhere, with the same key.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
			ReelayProcess.pause(Duration.ofMillis(500));
		}
		this.trouble.add("job " + marker + " could not be submitted in 40 tries");
		return null;
	}

	private void cancel(String id) {
		for (int attempt = 0; attempt < 20; attempt++) {
			List<ReelayProcess> up = this.rig.ready();
			if (!up.isEmpty()) {
				try {
					HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(up.get(attempt
							% up.size()).baseUrl() + "/api/v1/jobs/" + id + "/cancel"))
						.timeout(Duration.ofSeconds(30))
						.POST(HttpRequest.BodyPublishers.noBody())
						.build(), HttpResponse.BodyHandlers.ofString());
					if (response.statusCode() < 500) {
						this.faults.merge("cancel", 1, Integer::sum);
						return;
					}
				}
				catch (IOException ex) {
					// Elsewhere next time.
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			ReelayProcess.pause(Duration.ofMillis(500));
		}
	}

	private String like() {
		return "%" + AdversarialVideos.marker(this.prefix).replace("]]", "") + "%";
	}

	private int openJobs() {
		try (Connection db = this.rig.jdbc();
				var statement = db.prepareStatement("SELECT count(*) FROM jobs WHERE prompt LIKE ? "
						+ "AND status NOT IN ('completed', 'failed', 'canceled')")) {
			statement.setString(1, like());
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
		catch (SQLException ex) {
			return Integer.MAX_VALUE;
		}
	}

	private List<String> leasedBy(String owner) throws SQLException {
		return ids("SELECT id FROM jobs WHERE prompt LIKE ? AND status NOT IN ('completed', 'failed', 'canceled') "
				+ "AND lease_owner = '" + owner + "' AND lease_until > now()");
	}

	private List<String> inFlight() throws SQLException {
		return ids("SELECT id FROM jobs WHERE prompt LIKE ? AND status NOT IN ('queued', 'completed', 'failed', "
				+ "'canceled')");
	}

	private List<String> ids(String sql) throws SQLException {
		try (Connection db = this.rig.jdbc(); var statement = db.prepareStatement(sql)) {
			statement.setString(1, like());
			List<String> ids = new ArrayList<>();
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					ids.add(rows.getString(1));
				}
			}
			return ids;
		}
	}

	private long maxEventId() throws SQLException {
		try (Connection db = this.rig.jdbc(); Statement statement = db.createStatement();
				ResultSet rows = statement.executeQuery("SELECT coalesce(max(id), 0) FROM job_events")) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private long maxEventIdOfRun() throws SQLException {
		List<String> found = ids("SELECT coalesce(max(e.id), 0)::text FROM job_events e JOIN jobs j ON j.id = e.job_id "
				+ "WHERE j.prompt LIKE ?");
		return found.isEmpty() ? 0 : Long.parseLong(found.get(0));
	}

	static JsonNode json(String text) {
		return JsonMapper.shared().readTree(text);
	}


	private static void settles(Duration atMost, Duration every, java.util.concurrent.Callable<Boolean> settled) {
		try {
			org.awaitility.Awaitility.await().atMost(atMost).pollInterval(every).until(settled);
		}
		catch (org.awaitility.core.ConditionTimeoutException notYet) {
			// Left to the invariant checks, which say what did not settle.
		}
	}

}
