package dev.reelay.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code webhook_receipts} table: which deliveries have been taken, so a redelivery is recognised. Receipts are
 * kept a week, well past the longest redelivery window documented (OpenAI: 72 hours), then pruned.
 */
@Repository
class WebhookReceipts {

	static final Duration KEEP = Duration.ofDays(7);

	private static final Duration PRUNE_EVERY = Duration.ofHours(1);

	private final DatabaseClient db;

	private final AtomicReference<Instant> lastPruned = new AtomicReference<>(Instant.MIN);

	WebhookReceipts(DatabaseClient db) {
		this.db = db;
	}

	/** True the first time a delivery is seen; false for every redelivery, however concurrent. */
	Mono<Boolean> firstTime(String provider, String deliveryId, @Nullable String remoteId) {
		DatabaseClient.GenericExecuteSpec insert = this.db.sql("INSERT INTO webhook_receipts (provider, delivery_id, "
				+ "remote_id) VALUES (:provider, :delivery_id, :remote_id) ON CONFLICT DO NOTHING")
			.bind("provider", provider)
			.bind("delivery_id", deliveryId);
		insert = (remoteId != null) ? insert.bind("remote_id", remoteId) : insert.bindNull("remote_id", String.class);
		return pruneNowAndThen().then(insert.fetch().rowsUpdated()).map((inserted) -> inserted > 0);
	}

	/** At most once an hour per instance, by whichever delivery comes first after that. */
	private Mono<Void> pruneNowAndThen() {
		Instant last = this.lastPruned.get();
		Instant now = Instant.now();
		if (last.plus(PRUNE_EVERY).isAfter(now) || !this.lastPruned.compareAndSet(last, now)) {
			return Mono.empty();
		}
		return this.db.sql("DELETE FROM webhook_receipts WHERE received_at < now() - make_interval(secs => :keep)")
			.bind("keep", (double) KEEP.toSeconds())
			.then();
	}

}
