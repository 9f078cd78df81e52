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
 * Ends event streams opened with a page session when that session ends (sign-out), the way {@link KeyRevocations}
 * does for keys: at once on this instance, within {@code reelay.security.revocation-check} when another instance
 * signed it out, by one shared query per check that runs only while streams are open.
 */
@Component
class SessionEnds {

	private static final Logger log = LoggerFactory.getLogger(SessionEnds.class);

	private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(1);

	private final PageSessions sessions;

	private final Sinks.Many<UUID> local = Sinks.many().multicast().directBestEffort();

	private final Flux<UUID> ended;

	SessionEnds(PageSessions sessions, TenantSettings settings) {
		this.sessions = sessions;
		AtomicReference<Instant> since = new AtomicReference<>();
		Duration every = settings.revocationCheck();
		Flux<UUID> polled = Flux.interval(Duration.ZERO, every)
			.onBackpressureDrop()
			.concatMap((tick) -> check(since, every), 1);
		this.ended = Flux.merge(this.local.asFlux(), polled).share();
	}

	/** Completes once {@code session} has ended. */
	Mono<Void> of(UUID session) {
		return this.ended.filter(session::equals).next().then();
	}

	/** Said by sign-out right after the session ended. */
	void endedHere(UUID session) {
		// Best effort, never an error: emitNext would end the sink with an overflow error the first time a burst
		// outran a subscriber's demand, and every listener would be gone for good. A listener that had no room
		// misses this one only; what it stands for is read again on the listener's next tick or notification.
		Sinks.EmitResult result;
		do {
			result = this.local.tryEmitNext(session);
		}
		while (result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
	}

	private Flux<UUID> check(AtomicReference<Instant> since, Duration every) {
		Instant from = (since.get() != null) ? since.get() : Instant.now().minus(every.multipliedBy(2)).minusSeconds(1);
		return this.sessions.endedSince(from)
			.doOnNext((ended) -> since.set(ended.asOf().minusSeconds(1)))
			.flatMapIterable(ApiKeys.Revoked::keys)
			// Bounded: a check that hangs would hold up every later one (one at a time).
			.timeout(CHECK_TIMEOUT)
			.onErrorResume((error) -> {
				log.warn("checking for ended page sessions failed; will try again: {}", error.toString());
				return Mono.empty();
			});
	}

}
