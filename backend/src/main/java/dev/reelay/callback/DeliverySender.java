package dev.reelay.callback;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Heartbeat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Works the delivery queue: claims only as many due deliveries as it has free slots ({@code concurrency}), so
 * memory holds at most that many and the backlog stays in PostgreSQL. 2xx is delivered; 410 Gone stops; anything
 * else (3xx included: redirects are not followed), a timeout or a refused address is retried on the schedule and
 * the delivery is failed when the schedule is used up. Wakes on a timer and when the forwarder queued something.
 */
@Component
class DeliverySender implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliverySender.class);

	private final DeliveryQueue queue;

	private final WebhookClient client;

	private final TenantCallbacks tenants;

	private final TargetGuard guard;

	private final CallbackSettings settings;

	private final String owner;

	private final AtomicInteger inHand = new AtomicInteger();

	// Many signals, one claim: a wake-up while a claim runs is dropped, since the claim serves it.
	private final Sinks.Many<Long> wakeUps = Sinks.many().multicast().directBestEffort();

	private volatile Disposable.Composite attempts = Disposables.composite();

	private volatile @Nullable Disposable loop;

	private volatile @Nullable Heartbeat heartbeat;

	private volatile Duration iterationTimeout = Duration.ofMinutes(1);

	private final MeterRegistry meters;

	@Autowired
	DeliverySender(DeliveryQueue queue, WebhookClient client, TenantCallbacks tenants, TargetGuard guard,
			CallbackSettings settings, MeterRegistry meters) {
		this(queue, client, tenants, guard, settings, meters,
				ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8));
	}

	DeliverySender(DeliveryQueue queue, WebhookClient client, TenantCallbacks tenants, TargetGuard guard,
			CallbackSettings settings, MeterRegistry meters, String owner) {
		this.queue = queue;
		this.client = client;
		this.tenants = tenants;
		this.guard = guard;
		this.settings = settings;
		this.owner = owner;
		this.meters = meters;
		Gauge.builder("reelay.callbacks.in.hand", this.inHand, AtomicInteger::get)
			.description("Webhook deliveries this instance is attempting (at most reelay.callbacks.concurrency)")
			.register(meters);
	}

	/** Liveness and the per-iteration bound of the claim loop (health {@code backgroundLoops}). */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.heartbeat = loops.register("webhook-sender", this.settings.poll());
		this.iterationTimeout = loops.iterationTimeout();
	}

	/** Asks for a claim now rather than at the next tick. */
	void wake() {
		this.wakeUps.tryEmitNext(0L);
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		this.attempts = Disposables.composite();
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.started();
		}
		this.loop = Flux.merge(Flux.interval(Duration.ZERO, this.settings.poll()), this.wakeUps.asFlux())
			.onBackpressureDrop()
			.concatMap((tick) -> claim(), 1)
			.subscribe();
		log.info("webhook sender {} started: up to {} deliveries at once", this.owner, this.settings.concurrency());
	}

	private Mono<Void> claim() {
		int free = this.settings.concurrency() - this.inHand.get();
		if (free <= 0) {
			// Busy is not stalled.
			Heartbeat watching = this.heartbeat;
			if (watching != null) {
				watching.beat();
			}
			return Mono.empty();
		}
		Heartbeat watching = this.heartbeat;
		return this.queue.claim(this.owner, free, this.settings.lease())
			.doOnNext((claimed) -> this.inHand.incrementAndGet())
			.collectList()
			.doOnNext((claimed) -> claimed.forEach(this::run))
			.then()
			.timeout(this.iterationTimeout)
			.doOnSuccess((done) -> {
				if (watching != null) {
					watching.beat();
				}
			})
			.onErrorResume((error) -> {
				log.warn("claiming webhook deliveries failed; will try again: {}", error.toString());
				return Mono.empty();
			});
	}

	private void run(DeliveryQueue.Claimed delivery) {
		Disposable.Composite running = this.attempts;
		Disposable.Swap slot = Disposables.swap();
		running.add(slot);
		slot.update(attempt(delivery).doFinally((signal) -> {
			this.inHand.decrementAndGet();
			running.remove(slot);
		}).subscribe());
	}

	private Mono<Void> attempt(DeliveryQueue.Claimed delivery) {
		URI target;
		try {
			target = this.guard.target(delivery.url());
		}
		catch (IllegalArgumentException ex) {
			// The rules changed since the URL was stored (e.g. http no longer allowed): no retry can succeed.
			String error = "refused: the callback URL " + ex.getMessage();
			return this.queue.record(this.owner, delivery.id(), Attempt.failed(Instant.now(), 0, error),
					new DeliveryQueue.Verdict(DeliveryQueue.FAILED, null, error)).then();
		}
		byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
		return this.tenants.signingSecrets(delivery.tenantId())
			.flatMap((secrets) -> this.client.send(target, delivery.webhookId(), body, secrets))
			// Not sent because of how things stand (the secret cannot be opened after a key change, the tenant is
			// gone): counted as an attempt with its reason, so the schedule ends it instead of re-leasing it
			// forever. A database error is left alone: recording would fail the same way.
			.onErrorResume((error) -> !(error instanceof DataAccessException || error instanceof R2dbcException),
					(error) -> Mono.just(Attempt.failed(Instant.now(), 0, "not sent: " + reason(error))))
			.flatMap((attempt) -> {
				DeliveryQueue.Verdict verdict = verdict(delivery, attempt);
				count(verdict);
				return this.queue.record(this.owner, delivery.id(), attempt, verdict);
			})
			.then()
			.onErrorResume((error) -> {
				// Nothing recorded: the lease runs out and the delivery is tried again, here or elsewhere.
				log.warn("webhook delivery {} could not be attempted: {}", delivery.id(), error.toString());
				return Mono.empty();
			});
	}

	private static String reason(Throwable error) {
		String reason = (error instanceof ResponseStatusException status) ? status.getReason() : error.getMessage();
		return (reason != null) ? reason : error.getClass().getSimpleName();
	}

	private void count(DeliveryQueue.Verdict verdict) {
		String outcome = DeliveryQueue.PENDING.equals(verdict.status()) ? "retry" : verdict.status();
		Counter.builder("reelay.callbacks.attempts")
			.description("Webhook attempts by outcome: delivered, retry (failed, tried again later), failed (given up)")
			.tag("outcome", outcome)
			.register(this.meters)
			.increment();
	}

	private DeliveryQueue.Verdict verdict(DeliveryQueue.Claimed delivery, Attempt attempt) {
		if (attempt.succeeded()) {
			return new DeliveryQueue.Verdict(DeliveryQueue.DELIVERED, null, null);
		}
		String error = (attempt.statusCode() != null) ? "receiver answered " + attempt.statusCode() : attempt.error();
		if (attempt.statusCode() != null && attempt.statusCode() == 410) {
			return new DeliveryQueue.Verdict(DeliveryQueue.FAILED, null, error + " (Gone): not retried");
		}
		Duration next = this.settings.delayAfter(delivery.attempts() + 1);
		if (next == null) {
			return new DeliveryQueue.Verdict(DeliveryQueue.FAILED, null,
					error + "; gave up after " + (delivery.attempts() + 1) + " attempts");
		}
		return new DeliveryQueue.Verdict(DeliveryQueue.PENDING, next, error);
	}

	@Override
	public void stop() {
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.stopped();
		}
		Disposable running = this.loop;
		if (running != null) {
			running.dispose();
			this.loop = null;
		}
		// Attempts cut off here were not recorded; they are sent again (see stop(Runnable)).
		this.attempts.dispose();
	}

	/**
	 * Stops and lets go of this instance's leases, so its deliveries go out at once elsewhere (or after a restart)
	 * instead of after the lease. An attempt cut off mid-request may have arrived: at least once, not exactly once.
	 */
	@Override
	public void stop(Runnable callback) {
		boolean wasRunning = isRunning();
		stop();
		if (!wasRunning) {
			callback.run();
			return;
		}
		this.queue.release(this.owner)
			.doOnError((error) -> log.warn("could not release webhook leases on stop; they expire by themselves: {}",
					error.toString()))
			.doFinally((signal) -> callback.run())
			.subscribe((released) -> {
			}, (error) -> {
			});
	}

	@Override
	public boolean isRunning() {
		return this.loop != null;
	}

}
