package dev.reelay.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The SSE streams over real HTTP against PostgreSQL: resume, the replay/live switch, holes, filters, resets. */
class JobStreamsTests extends LiveStreamTestSupport {

	@Autowired
	private TransactionalOperator tx;

	@Autowired
	private JsonMapper json;

	@Autowired
	private ConnectionFactory connectionFactory;

	@Test
	void aJobStreamResumesAfterAnyEventWithExactlyTheRestThenGoesLive() {
		Job job = create("resume after n");
		for (int i = 1; i <= 9; i++) {
			job = touch(job, "step " + i);
		}
		UUID id = job.id();
		List<Long> all = eventIds(List.of(id));
		assertThat(all).hasSize(10);
		for (int n : new int[] { 1, 4, 9 }) {
			List<Long> rest = stream("/api/v1/jobs/" + id + "/events", all.get(n - 1)).filter(LiveStreamTestSupport::isEvent)
				.map(LiveStreamTestSupport::id)
				.take(10 - n)
				.collectList()
				.block(WAIT);
			assertThat(rest).as("resumed after event %d", n).containsExactlyElementsOf(all.subList(n, 10));
		}
		AtomicReference<Job> latest = new AtomicReference<>(job);
		// The query parameter is for clients that cannot set headers.
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/events?last_event_id={last}", id, all.get(7))
			.retrieve()
			.bodyToFlux(SSE)
			.filter(LiveStreamTestSupport::isEvent))
			.assertNext((event) -> assertThat(id(event)).isEqualTo(all.get(8)))
			.assertNext((event) -> {
				assertThat(id(event)).isEqualTo(all.get(9));
				assertThat(event.event()).isEqualTo("job.progress");
				assertThat(event.retry()).isEqualTo(Duration.ofSeconds(3));
			})
			.then(() -> latest.set(touch(latest.get(), "live after replay")))
			.assertNext((event) -> {
				assertThat(id(event)).isGreaterThan(all.get(9));
				assertThat(event.data()).contains("live after replay");
			})
			.then(() -> cancel(latest.get()))
			.assertNext((event) -> assertThat(event.event()).isEqualTo("job.canceled"))
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void streamsAnswerWithTheHeadersProxiesAndBrowsersNeed() {
		Job job = create("headers");
		ResponseEntity<Flux<String>> response = http().get()
			.uri("/api/v1/jobs/{id}/events", job.id())
			.retrieve()
			.toEntityFlux(String.class)
			.block(WAIT);
		assertThat(response.getHeaders().getFirst("X-Accel-Buffering")).isEqualTo("no");
		assertThat(response.getHeaders().getContentType().isCompatibleWith(MediaType.TEXT_EVENT_STREAM)).isTrue();
		assertThat(response.getHeaders().getCacheControl()).contains("no-store");
		response.getBody().subscribe().dispose();
	}

	/**
	 * Streams connect, some resuming from ids that were just written, while four writers commit in interleaved
	 * transactions: every stream must get exactly the log after its position, in order.
	 */
	@Test
	void switchingFromReplayToLiveLosesAndRepeatsNothingWhileEventsAreBeingWritten() {
		List<Job> jobs = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			jobs.add(create("race " + i));
		}
		Job marker = create("race marker");
		Set<UUID> ours = jobs.stream().map(Job::id).collect(Collectors.toSet());
		ours.add(marker.id());
		String byJobId = ours.stream().map((id) -> "job_id=" + id).collect(Collectors.joining("&"));

		List<Mono<Observed>> observers = Collections.synchronizedList(new ArrayList<>());
		Disposable connecting = Flux.range(0, 24)
			.delayElements(Duration.ofMillis(15))
			.concatMap((i) -> latestOf(ours).map((latest) -> {
				Long lastEventId = (i % 3 == 0) ? null : Math.max(0, latest - (i % 7));
				String uri = (i % 2 == 0) ? "/api/v1/events?" + byJobId : "/api/v1/events";
				observers.add(observe(uri, lastEventId, ours, marker.id()));
				return i;
			}))
			.subscribe((i) -> {
			}, (error) -> error.printStackTrace());
		// One writer per job, four at once, so commits interleave and ids become visible out of order.
		Flux.fromIterable(jobs)
			.flatMap((job) -> Flux.range(1, 100)
				.concatMap((i) -> this.store.find(job.id())
					.flatMap((current) -> this.store.change(current, (c) -> c.statusReason = "write " + i, false))), 4)
			.blockLast(WAIT);
		await().atMost(WAIT).until(connecting::isDisposed);
		cancel(marker);

		List<Long> truth = eventIds(ours);
		List<Observed> seen = Flux.fromIterable(observers).flatMap((observer) -> observer).collectList().block(WAIT);
		assertThat(seen).hasSize(24);
		for (Observed observed : seen) {
			assertThat(observed.ids()).as("ids of %s after %s", observed.uri(), observed.lastEventId())
				.doesNotHaveDuplicates()
				.isSorted()
				.isNotEmpty();
			if (observed.lastEventId() != null) {
				assertThat(observed.ids()).as("resumed after %s", observed.lastEventId())
					.containsExactlyElementsOf(truth.stream().filter((id) -> id > observed.lastEventId()).toList());
			}
			else {
				// From now on: a suffix of the log with nothing missing.
				int from = truth.indexOf(observed.ids().get(0));
				assertThat(observed.ids()).containsExactlyElementsOf(truth.subList(from, truth.size()));
			}
		}
	}

	@Test
	void anEventHeldByAnOpenTransactionComesInOrderOnceItCommits() {
		Job held = create("held open");
		Job other = create("written meanwhile");
		long before = eventIds(List.of(held.id(), other.id())).get(1);
		Sinks.Empty<Void> commit = Sinks.empty();
		Sinks.One<Job> written = Sinks.one();
		// The held event takes its id now but only becomes visible at commit.
		this.store.change(held, (c) -> c.statusReason = "in an open transaction", false)
			.doOnNext(written::tryEmitValue)
			.flatMap((job) -> commit.asMono().thenReturn(job))
			.as(this.tx::transactional)
			.subscribe();
		written.asMono().block(WAIT);
		touch(other, "committed after the held one took its id");
		String uri = "/api/v1/events?job_id=" + held.id() + "&job_id=" + other.id();
		StepVerifier.create(stream(uri, before).filter(LiveStreamTestSupport::isEvent))
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(500))
			.then(commit::tryEmitEmpty)
			.assertNext((event) -> assertThat(event.data()).contains("in an open transaction"))
			.assertNext((event) -> assertThat(event.data()).contains("committed after the held one"))
			.thenCancel()
			.verify(WAIT);
	}

	@Test
	void anIdWhoseTransactionRolledBackDoesNotHoldTheStreamBack() {
		Job doomed = create("rolled back");
		Job other = create("after the rollback");
		Sinks.Empty<Void> rollBack = Sinks.empty();
		Sinks.One<Job> written = Sinks.one();
		this.store.change(doomed, (c) -> c.statusReason = "never committed", false)
			.doOnNext(written::tryEmitValue)
			.flatMap((job) -> rollBack.asMono().then(Mono.<Job>error(new IllegalStateException("roll back"))))
			.as(this.tx::transactional)
			.subscribe((job) -> {
			}, (error) -> {
			});
		written.asMono().block(WAIT);
		String uri = "/api/v1/events?job_id=" + doomed.id() + "&job_id=" + other.id();
		AtomicReference<Job> next = new AtomicReference<>(other);
		awaitTailCaughtUp();
		// gap-grace is a minute here: only seeing that the transaction ended can let the stream move on.
		StepVerifier.create(stream(uri, null).filter((event) -> isEvent(event) || "ready".equals(event.comment())))
			.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
			.then(() -> next.set(touch(other, "visible past the hole")))
			.expectNoEvent(Duration.ofMillis(300))
			.then(rollBack::tryEmitEmpty)
			.assertNext((event) -> assertThat(event.data()).contains("visible past the hole"))
			.thenCancel()
			.verify(Duration.ofSeconds(10));
	}

	@Test
	void theAllJobsStreamFiltersByStatusModelProviderAndJob() {
		Job first = create("filter one");
		Job second = create("filter two");
		String ids = "job_id=" + first.id() + "," + second.id();
		int before = this.tail.subscribers();
		awaitTailCaughtUp();
		Mono<List<String>> seen = Flux.merge(watch("canceled-only", "/api/v1/events?status=canceled&" + ids),
				watch("other-model", "/api/v1/events?model=another-model&provider=simulator&" + ids),
				watch("queued-sim", "/api/v1/events?model=sim-video&provider=simulator&status=queued&" + ids))
			.take(3)
			.collectList()
			.cache();
		seen.subscribe();
		await().atMost(WAIT).until(() -> this.tail.subscribers() >= before + 3);
		cancel(touch(first, "still queued"));
		cancel(second);
		assertThat(seen.block(WAIT)).containsExactlyInAnyOrder("queued-sim job.progress " + first.id(),
				"canceled-only job.canceled " + first.id(), "canceled-only job.canceled " + second.id());
	}

	private Flux<String> watch(String name, String uri) {
		return http().get()
			.uri(uri)
			.retrieve()
			.bodyToFlux(SSE)
			.filter(LiveStreamTestSupport::isEvent)
			.map((event) -> name + " " + event.event() + " " + jobId(event));
	}

	@Test
	void badFiltersAreProblemsNamingTheParameter() {
		assertProblem("/api/v1/events?status=exploded", "status", "exploded");
		assertProblem("/api/v1/events?job_id=not-a-uuid", "job_id", "not-a-uuid");
		assertProblem("/api/v1/events?last_event_id=minus-one", "last_event_id", "minus-one");
		assertProblem("/api/v1/events?model=" + "m".repeat(201), "model", "longer than 200");
		String tooMany = java.util.stream.IntStream.range(0, 101).mapToObj((i) -> "m" + i).collect(Collectors.joining(","));
		assertProblem("/api/v1/events?model=" + tooMany, "model", "at most 100");
	}

	@Test
	void aClientThatAlreadyHasTheTerminalEventIsToldToStopReconnecting() {
		Job job = cancel(create("over"));
		long terminal = eventIds(List.of(job.id())).get(1);
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/events", job.id())
			.header("Last-Event-ID", Long.toString(terminal))
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode())))
			.expectNext(HttpStatus.NO_CONTENT)
			.verifyComplete();
		// One event earlier, it gets the terminal event and the stream ends.
		StepVerifier.create(stream("/api/v1/jobs/" + job.id() + "/events", terminal - 1).filter(LiveStreamTestSupport::isEvent))
			.assertNext((event) -> assertThat(event.event()).isEqualTo("job.canceled"))
			.verifyComplete();
	}

	@Test
	void anIdThatWasNeverSentGetsAResetAndTheStreamGoesOnLive() {
		Job job = create("after an unknown id");
		AtomicReference<Job> latest = new AtomicReference<>(job);
		awaitTailCaughtUp();
		StepVerifier.create(stream("/api/v1/events?job_id=" + job.id(), 999_999_999_999L).filter(LiveStreamTestSupport::isEvent))
			.assertNext((reset) -> {
				assertThat(reset.event()).isEqualTo("reset");
				Map<?, ?> data = parse(reset.data());
				assertThat(data.get("reason")).isEqualTo("unknown");
				assertThat(data.get("last_event_id")).isEqualTo(999_999_999_999L);
				// Resuming from the reset's id does not ask again.
				assertThat(reset.id()).isNotNull();
			})
			.then(() -> latest.set(touch(latest.get(), "after the reset")))
			.assertNext((event) -> assertThat(event.data()).contains("after the reset"))
			.thenCancel()
			.verify(WAIT);
	}

	@Test
	void closedConnectionsReleaseTheirSubscribersAndDatabaseConnections() {
		Job job = create("watched and left");
		int before = this.tail.subscribers();
		List<Disposable> watchers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			watchers.add(stream((i % 2 == 0) ? "/api/v1/jobs/" + job.id() + "/events" : "/api/v1/events", null)
				.subscribe());
		}
		await().atMost(WAIT).until(() -> this.tail.subscribers() == before + 20);
		watchers.forEach(Disposable::dispose);
		await().atMost(WAIT).until(() -> this.tail.subscribers() == before);
		ConnectionPool pool = (ConnectionPool) this.connectionFactory;
		await().atMost(WAIT).until(() -> pool.getMetrics().orElseThrow().acquiredSize() == 0);
	}

	@Test
	void oneListeningConnectionServesEveryStream() {
		long listeners = listeners().size();
		assertThat(listeners).isPositive();
		List<Disposable> watchers = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			watchers.add(stream("/api/v1/events", null).subscribe());
		}
		await().atMost(WAIT).until(() -> this.tail.subscribers() >= 30);
		assertThat(listeners().size()).isEqualTo(listeners);
		watchers.forEach(Disposable::dispose);
	}

	@Test
	void aLostListeningConnectionIsReplacedAndWhatWasMissedIsCaughtUp() {
		Job job = create("across a listener reconnect");
		AtomicReference<Job> latest = new AtomicReference<>(job);
		Set<Integer> old = Set.copyOf(listeners());
		StepVerifier.create(stream("/api/v1/jobs/" + job.id() + "/events", null).filter(LiveStreamTestSupport::isEvent))
			.assertNext((queued) -> assertThat(queued.event()).isEqualTo("job.queued"))
			.then(() -> {
				this.db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name "
						+ "AND datname = current_database()")
					.bind("name", EventNotifications.APPLICATION_NAME)
					.fetch()
					.all()
					.blockLast(WAIT);
				// Written while no listener is connected: no notification reaches this instance.
				latest.set(touch(latest.get(), "while the listener was away"));
			})
			.assertNext((event) -> assertThat(event.data()).contains("while the listener was away"))
			.thenCancel()
			.verify(WAIT);
		await().atMost(WAIT).until(() -> !listeners().isEmpty() && listeners().stream().noneMatch(old::contains));
		await().atMost(WAIT).until(() -> "UP".equals(http().get()
			.uri("/actuator/health/eventListener")
			.exchangeToMono((response) -> response.bodyToMono(Map.class))
			.map((health) -> health.get("status"))
			.block(WAIT)));
	}

	@Test
	void aStoppedTailClosesItsStreamsAndServesNewOnesOnceStartedAgain() {
		Job job = create("across a stop and start");
		StepVerifier.create(stream("/api/v1/jobs/" + job.id() + "/events", null))
			.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
			.assertNext((queued) -> assertThat(queued.event()).isEqualTo("job.queued"))
			.then(this.tail::stop)
			.assertNext((close) -> assertThat(close.data()).contains("\"reason\":\"shutdown\""))
			.expectComplete()
			.verify(WAIT);
		this.tail.start();
		AtomicReference<Job> latest = new AtomicReference<>(job);
		StepVerifier.create(stream("/api/v1/jobs/" + job.id() + "/events", null).filter(LiveStreamTestSupport::isEvent))
			.assertNext((queued) -> assertThat(queued.event()).isEqualTo("job.queued"))
			.then(() -> latest.set(touch(latest.get(), "after the restart")))
			.assertNext((event) -> assertThat(event.data()).contains("after the restart"))
			.thenCancel()
			.verify(WAIT);
	}

	private List<Integer> listeners() {
		return this.db.sql("SELECT pid FROM pg_stat_activity WHERE application_name = :name AND datname = current_database()")
			.bind("name", EventNotifications.APPLICATION_NAME)
			.map((row) -> row.get("pid", Integer.class))
			.all()
			.collectList()
			.block(WAIT);
	}

	private Mono<Long> latestOf(Set<UUID> jobs) {
		return this.db.sql("SELECT coalesce(max(id), 0) AS latest FROM job_events WHERE job_id = ANY(:jobs)")
			.bind("jobs", jobs.toArray(UUID[]::new))
			.map((row) -> row.get("latest", Long.class))
			.one();
	}

	/** Subscribes now; the ids of our jobs' events it received, up to the marker job's terminal event. */
	private Mono<Observed> observe(String uri, Long lastEventId, Set<UUID> ours, UUID marker) {
		return stream(uri, lastEventId).filter(LiveStreamTestSupport::isEvent)
			.filter((event) -> ours.contains(jobId(event)))
			.takeUntil((event) -> "job.canceled".equals(event.event()) && marker.equals(jobId(event)))
			.map(LiveStreamTestSupport::id)
			.collectList()
			.map((ids) -> new Observed(uri, lastEventId, ids))
			.cache()
			.as((observed) -> {
				observed.subscribe();
				return observed;
			});
	}

	private UUID jobId(ServerSentEvent<String> event) {
		return UUID.fromString((String) parse(event.data()).get("id"));
	}

	private Map<?, ?> parse(String data) {
		return this.json.readValue(data, Map.class);
	}

	private void assertProblem(String uri, String field, String detail) {
		StepVerifier.create(http().get()
			.uri(uri)
			.exchangeToMono((response) -> response.bodyToMono(Map.class)
				.map((body) -> Map.of("status", response.statusCode().value(), "body", body))))
			.assertNext((answer) -> {
				assertThat(answer.get("status")).isEqualTo(400);
				Map<?, ?> body = (Map<?, ?>) answer.get("body");
				assertThat(body.get("field")).isEqualTo(field);
				assertThat((String) body.get("detail")).contains(detail);
			})
			.verifyComplete();
	}

	private record Observed(String uri, Long lastEventId, List<Long> ids) {
	}

}
