package dev.reelay.callback;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A webhook as the tenant sees it in the delivery log: what was sent where, and every attempt so far. */
record DeliveryView(UUID id, String webhookId, UUID jobId, long eventId, String eventType, String url,
		String status, @Nullable Instant nextAttemptAt, @Nullable String lastError, Instant createdAt,
		@Nullable Instant deliveredAt, List<AttemptView> attempts) {

	record AttemptView(Instant attemptedAt, @Nullable Integer statusCode, long durationMs, @Nullable String error,
			@Nullable String responseExcerpt) {
	}

}
