package dev.reelay.provider;

import java.time.Instant;

import reactor.core.publisher.Mono;

/**
 * Provider instances Reelay leaves alone for a while because they answered 429. The dispatcher records pauses
 * (for every instance on the database); this is how others, such as health, read them without a provider call.
 */
public interface ProviderPauses {

	/** The pause in force for {@code instance} at {@code now}; empty when it may be called. */
	Mono<Pause> current(String instance, Instant now);

	record Pause(Instant until, String reason) {
	}

}
