package dev.reelay.webhook;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/** The {@code webhook_receipts} table: which deliveries have been taken, so a redelivery is recognised. */
@Repository
class WebhookReceipts {

	private final DatabaseClient db;

	WebhookReceipts(DatabaseClient db) {
		this.db = db;
	}

	/** True the first time a delivery is seen; false for every redelivery, however concurrent. */
	Mono<Boolean> firstTime(String provider, String deliveryId, @Nullable String remoteId) {
		return this.db.sql("INSERT INTO webhook_receipts (provider, delivery_id, remote_id) "
				+ "VALUES (:provider, :delivery_id, :remote_id) ON CONFLICT DO NOTHING")
			.bind("provider", provider)
			.bind("delivery_id", deliveryId)
			.bind("remote_id", Parameter.fromOrEmpty(remoteId, String.class))
			.fetch()
			.rowsUpdated()
			.map((inserted) -> inserted > 0);
	}

}
