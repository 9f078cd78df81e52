package dev.reelay.tenant;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.stereotype.Component;

/**
 * Ends event streams whose key is revoked while they are open (new requests are refused anyway: keys are looked up
 * on every request). A revocation made here is heard at once; one made through another instance within
 * {@code reelay.security.revocation-check}, by one shared query per check that runs only while streams are open.
 */
@Component
class KeyRevocations {

	private static final Logger log = LoggerFactory.getLogger(KeyRevocations.class);

	private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(1);

	private final ApiKeys keys;

	// No buffer: a revocation goes to the streams open at that moment (each only compares ids); the database check
	// tells the others, and every instance, a moment later.
	private final Sinks.Many<UUID> local = Sinks.many().multicast().directBestEffort();

	private final Flux<UUID> revoked;

	KeyRevocations(ApiKeys keys, TenantSettings settings) {
		this.keys = keys;
		AtomicReference<Instant> since = new AtomicReference<>();
		Duration every = settings.revocationCheck();
		Flux<UUID> polled = Flux.interval(Duration.ZERO, every)
			.onBackpressureDrop()
			.concatMap((tick) -> check(since, every), 1);
		this.revoked = Flux.merge(this.local.asFlux(), polled).share();
	}

	/** Completes once {@code key} is revoked; subscribe for as long as something it authorised stays open. */
	Mono<Void> of(UUID key) {
		return this.revoked.filter(key::equals).next().then();
	}

	/** Said by the admin API right after a revocation committed. */
	void revokedHere(UUID key) {
		// Best effort, never an error: emitNext would end the sink with an overflow error the first time a burst
		// outran a subscriber's demand, and every listener would be gone for good. A listener that had no room
		// misses this one only; what it stands for is read again on the listener's next tick or notification.
		Sinks.EmitResult result;
		do {
			result = this.local.tryEmitNext(key);
		}
		while (result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
	}

	private Flux<UUID> check(AtomicReference<Instant> since, Duration every) {
		// From one check before the first: a key revoked just before its stream joined is still caught.
		Instant from = (since.get() != null) ? since.get() : Instant.now().minus(every.multipliedBy(2)).minusSeconds(1);
		return this.keys.revokedSince(from)
			// A second back: a revocation whose statement began before this check but committed after it is seen next.
			.doOnNext((revoked) -> since.set(revoked.asOf().minusSeconds(1)))
			.flatMapIterable(ApiKeys.Revoked::keys)
			// Bounded: a check that hangs would hold up every later one (one at a time).
			.timeout(CHECK_TIMEOUT)
			.onErrorResume((error) -> {
				log.warn("checking for revoked API keys failed; will try again: {}", error.toString());
				return Mono.empty();
			});
	}

}
