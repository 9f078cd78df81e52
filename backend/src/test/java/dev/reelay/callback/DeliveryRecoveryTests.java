package dev.reelay.callback;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crashes and two instances on one database, with forwarders and senders built by hand (the context's own are off):
 * the cursor and the queue survive a crash, a dead instance's leases are taken over once they end, and two senders
 * never deliver one webhook twice when nothing fails.
 */
@SpringBootTest
class DeliveryRecoveryTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Receiver receiver = new Receiver();

	private static final CallbackSettings SETTINGS = new CallbackSettings(true, true, true,
			List.of(Duration.ZERO, Duration.ofMillis(200)), 8, Duration.ofMillis(50), Duration.ofSeconds(2),
			Duration.ofSeconds(1), Duration.ofSeconds(1), DataSize.ofKilobytes(1), 10_000,
			1000, Duration.ofSeconds(5), Duration.ofHours(24), null);

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JobStore jobs;

	@Autowired
	private JobEventLog events;

	@Autowired
	private DeliveryQueue queue;

	@Autowired
	private TenantCallbacks tenants;

	@Autowired
	private TransactionalOperator tx;

	@AfterAll
	static void closeReceiver() {
		receiver.close();
	}

	private DeliverySender sender(String owner) {
		TargetGuard guard = new TargetGuard(SETTINGS);
		return new DeliverySender(this.queue, new WebhookClient(WebClient.builder(), SETTINGS, guard), this.tenants,
				guard, SETTINGS, new SimpleMeterRegistry(), owner);
	}

	private EventForwarder forwarder(String owner) {
		return new EventForwarder(this.db, this.events, sender(owner), SETTINGS, owner);
	}

	private Job job(String callbackUrl) {
		return this.jobs.create(new NewJob("sim-video", "simulator", "recovery " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null, null, null, callbackUrl))).block(WAIT);
	}

	private long deliveriesOf(UUID job) {
		return this.db.sql("SELECT count(*) AS n FROM callback_deliveries WHERE job_id = :job")
			.bind("job", job)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	private long position() {
		return this.db.sql("SELECT position FROM callback_forwarder").map((row) -> row.get("position", Long.class))
			.one().block(WAIT);
	}

	/** Runs forwarding passes until {@code done}; a pass with no settled head or no lease forwards nothing. */
	private void forwardUntil(EventForwarder forwarder, BooleanSupplier done) {
		Flux.interval(Duration.ofMillis(50))
			.onBackpressureDrop()
			.concatMap((tick) -> forwarder.cycle().then(Mono.fromCallable(() -> done.getAsBoolean())
				.subscribeOn(Schedulers.boundedElastic())))
			.filter(Boolean::booleanValue)
			.next()
			.timeout(WAIT)
			.block();
	}

	@Test
	void aCrashedForwardersCursorIsTakenOverAfterItsLeaseAndNoEventIsLost() {
		EventForwarder crashed = forwarder("crashed-" + UUID.randomUUID());
		Job before = job("https://hooks.example.com/before");
		forwardUntil(crashed, () -> deliveriesOf(before.id()) == 1);
		// The crashed forwarder never releases its lease; events keep coming meanwhile.
		Job during = job("https://hooks.example.com/during");
		long heldAt = position();
		EventForwarder successor = forwarder("successor-" + UUID.randomUUID());
		StepVerifier.create(successor.cycle()).verifyComplete();
		assertThat(deliveriesOf(during.id())).as("the lease still holds the cursor").isZero();
		assertThat(position()).isEqualTo(heldAt);
		Instant leaseEnds = Instant.now().plus(SETTINGS.lease());
		forwardUntil(successor, () -> deliveriesOf(during.id()) == 1);
		assertThat(Instant.now()).isAfterOrEqualTo(leaseEnds.minusMillis(500));
		assertThat(deliveriesOf(before.id())).isEqualTo(1);
	}

	@Test
	void forwardingTheSameEventsAgainAddsNothing() {
		EventForwarder forwarder = forwarder("again-" + UUID.randomUUID());
		forwardUntil(forwarder, () -> true);
		long start = position();
		Job job = job("https://hooks.example.com/again");
		forwardUntil(forwarder, () -> deliveriesOf(job.id()) == 1);
		// A crash between the insert and the cursor's move: the next pass covers the same ids again.
		this.db.sql("UPDATE callback_forwarder SET position = :start").bind("start", start).fetch().rowsUpdated()
			.block(WAIT);
		forwardUntil(forwarder, () -> position() > start);
		assertThat(deliveriesOf(job.id())).isEqualTo(1);
	}

	@Test
	void anEventHeldOpenPastTheGapGraceIsForwardedOnceWhenItAppears() {
		CallbackSettings quickGrace = new CallbackSettings(true, true, true, SETTINGS.schedule(), 8,
				Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1),
				DataSize.ofKilobytes(1), 10_000, 1000, Duration.ofSeconds(1), Duration.ofHours(24), null);
		TargetGuard guard = new TargetGuard(quickGrace);
		EventForwarder forwarder = new EventForwarder(this.db, this.events, new DeliverySender(this.queue,
				new WebhookClient(WebClient.builder(), quickGrace, guard), this.tenants, guard, quickGrace,
				new SimpleMeterRegistry(), "late-sender"), quickGrace, "late-" + UUID.randomUUID());
		Job held = job("https://hooks.example.com/held");
		forwardUntil(forwarder, () -> deliveriesOf(held.id()) == 1);
		// A transaction takes an event id for the held job and stays open past the grace.
		Sinks.Empty<Void> inserted = Sinks.empty();
		Sinks.Empty<Void> commit = Sinks.empty();
		this.db.sql("INSERT INTO job_events (job_id, type, payload) VALUES (:job, 'job.canceled', "
				+ "CAST('{\"status\":\"canceled\"}' AS json))")
			.bind("job", held.id())
			.fetch()
			.rowsUpdated()
			.then(Mono.fromRunnable(inserted::tryEmitEmpty))
			.then(commit.asMono())
			.as(this.tx::transactional)
			.subscribe();
		inserted.asMono().block(WAIT);
		Job later = job("https://hooks.example.com/later");
		// Passed over: a later event is forwarded while the held one is still invisible.
		forwardUntil(forwarder, () -> deliveriesOf(later.id()) == 1);
		assertThat(deliveriesOf(held.id())).isEqualTo(1);
		commit.tryEmitEmpty();
		forwardUntil(forwarder, () -> deliveriesOf(held.id()) == 2);
		forwardUntil(forwarder, () -> gapsOf(held.id()) == 0);
		assertThat(deliveriesOf(held.id())).isEqualTo(2);
		assertThat(deliveriesOf(later.id())).isEqualTo(1);
	}

	private long gapsOf(UUID job) {
		return this.db.sql("SELECT count(*) AS n FROM callback_forwarder_gaps g JOIN job_events e ON e.id = g.event_id "
				+ "WHERE e.job_id = :job")
			.bind("job", job)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	@Test
	void aDeadSendersDeliveriesAreSentOnceItsLeaseEnds() {
		String path = "/orphan-" + UUID.randomUUID();
		UUID delivery = insertDelivery(receiver.url(path));
		this.db.sql("UPDATE callback_deliveries SET lease_owner = 'dead', lease_until = now() + interval '1 second' "
				+ "WHERE id = :id").bind("id", delivery).fetch().rowsUpdated().block(WAIT);
		Instant leaseEnds = Instant.now().plusSeconds(1);
		DeliverySender sender = sender("heir-" + UUID.randomUUID());
		sender.start();
		try {
			Receiver.Received got = receiver.await(path, 1, WAIT).get(0);
			assertThat(got.at()).isAfterOrEqualTo(leaseEnds.minusMillis(200));
		}
		finally {
			sender.stop();
		}
	}

	@Test
	void twoSendersDeliverEachWebhookOnce() {
		String path = "/pair-" + UUID.randomUUID();
		for (int i = 0; i < 40; i++) {
			receiver.script(path, (got, response) -> Mono.delay(Duration.ofMillis(20))
				.then(Mono.from(response.status(200).sendString(Mono.just("ok")))));
		}
		List<UUID> inserted = Flux.range(0, 40).concatMap((i) -> Mono.fromCallable(() -> insertDelivery(
				receiver.url(path))).subscribeOn(Schedulers.boundedElastic())).collectList()
			.block(WAIT);
		DeliverySender first = sender("first-" + UUID.randomUUID());
		DeliverySender second = sender("second-" + UUID.randomUUID());
		first.start();
		second.start();
		try {
			receiver.await(path, 40, WAIT);
			Map<String, Long> perId = receiver.at(path).stream()
				.collect(Collectors.groupingBy((got) -> got.header("webhook-id"), Collectors.counting()));
			assertThat(perId).hasSize(40).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
			Flux.interval(Duration.ofMillis(50))
				.onBackpressureDrop()
				.concatMap((tick) -> Mono.fromCallable(() -> delivered(inserted)).subscribeOn(Schedulers.boundedElastic()))
				.filter((n) -> n == 40)
				.next()
				.timeout(WAIT)
				.block();
		}
		finally {
			first.stop();
			second.stop();
		}
		assertThat(receiver.at(path)).hasSize(40);
	}

	@Test
	void deliveriesAreScopedToTheirTenant() {
		UUID delivery = insertDelivery("https://hooks.example.com/scoped");
		UUID other = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'other')").bind("id", other).fetch().rowsUpdated()
			.block(WAIT);
		StepVerifier.create(this.queue.find(other, delivery)).verifyComplete();
		StepVerifier.create(this.queue.replay(other, delivery)).verifyComplete();
		StepVerifier.create(this.queue.list(other, null, 100)).assertNext((list) -> assertThat(list).isEmpty())
			.verifyComplete();
		StepVerifier.create(this.queue.find(new UUID(0, 0), delivery))
			.assertNext((view) -> assertThat(view.url()).isEqualTo("https://hooks.example.com/scoped"))
			.verifyComplete();
		this.db.sql("UPDATE callback_deliveries SET status = 'failed' WHERE id = :id").bind("id", delivery).fetch()
			.rowsUpdated().block(WAIT);
	}

	@Test
	void aDeliveryThatCannotBeSignedCountsItsAttemptsAndEnds() {
		// The tenant's secret was sealed under a key that is no longer configured: it cannot be opened.
		UUID tenant = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'rotated key')").bind("id", tenant).fetch()
			.rowsUpdated().block(WAIT);
		this.db.sql("INSERT INTO callback_settings (tenant_id, secret) VALUES (:id, 'gcm1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==')")
			.bind("id", tenant).fetch().rowsUpdated().block(WAIT);
		String path = "/unsigned-" + UUID.randomUUID();
		UUID delivery = insertDelivery(receiver.url(path), tenant);
		DeliverySender sender = sender("unsigned-" + UUID.randomUUID());
		sender.start();
		try {
			Flux.interval(Duration.ofMillis(50))
				.onBackpressureDrop()
				.concatMap((tick) -> this.queue.find(tenant, delivery))
				.filter((view) -> !DeliveryQueue.PENDING.equals(view.status()))
				.next()
				.timeout(WAIT)
				.as(StepVerifier::create)
				.assertNext((view) -> {
					assertThat(view.status()).isEqualTo(DeliveryQueue.FAILED);
					assertThat(view.lastError()).contains("not sent: a webhook secret").contains("gave up after 2");
					assertThat(view.attempts()).hasSize(SETTINGS.schedule().size())
						.allSatisfy((attempt) -> assertThat(attempt.statusCode()).isNull());
				})
				.verifyComplete();
		}
		finally {
			sender.stop();
		}
		assertThat(receiver.at(path)).as("nothing unsigned went out").isEmpty();
	}

	private long delivered(List<UUID> ids) {
		return this.db.sql("SELECT count(*) AS n FROM callback_deliveries WHERE id = ANY(:ids) AND status = 'delivered'")
			.bind("ids", ids.toArray(UUID[]::new))
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	/** A pending delivery of a job of the local tenant, due now. */
	private UUID insertDelivery(String url) {
		return insertDelivery(url, new UUID(0, 0));
	}

	private UUID insertDelivery(String url, UUID tenant) {
		Job job = job(null);
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO callback_deliveries (id, webhook_id, tenant_id, job_id, event_id, event_type, url, "
				+ "payload, status, next_attempt_at) VALUES (:id, :webhook, :tenant, :job, :event, 'job.queued', :url, "
				+ ":payload, 'pending', now())")
			.bind("id", id)
			.bind("webhook", "msg_" + id.toString().replace("-", ""))
			.bind("tenant", tenant)
			.bind("job", job.id())
			.bind("event", -Math.abs(id.getLeastSignificantBits()))
			.bind("url", url)
			.bind("payload", "{\"type\":\"job.queued\",\"data\":{\"id\":\"" + job.id() + "\"}}")
			.fetch()
			.rowsUpdated()
			.block(WAIT);
		return id;
	}

}
