package dev.reelay.callback;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The webhooks waiting to go out, in PostgreSQL: claimed with {@code FOR UPDATE SKIP LOCKED} under a lease, so two
 * instances never hold one delivery at once and a crashed instance's deliveries are taken over when its lease ends.
 * Each attempt's outcome is written with the attempt's log row in one statement.
 */
@Component
class DeliveryQueue {

	static final String PENDING = "pending";

	static final String DELIVERED = "delivered";

	static final String FAILED = "failed";

	private static final String VIEW_COLUMNS = "id, webhook_id, job_id, event_id, event_type, url, status, "
			+ "next_attempt_at, last_error, created_at, delivered_at";

	private final DatabaseClient db;

	DeliveryQueue(DatabaseClient db) {
		this.db = db;
	}

	/** A delivery this instance holds the lease of. */
	record Claimed(UUID id, String webhookId, UUID tenantId, String url, String payload, int attempts) {
	}

	/** What to do after an attempt: {@code next} is the delay before the next one, for pending deliveries. */
	record Verdict(String status, @Nullable Duration next, @Nullable String error) {
	}

	/** Up to {@code limit} due deliveries, leased to {@code owner}. */
	Flux<Claimed> claim(String owner, int limit, Duration lease) {
		String sql = "UPDATE callback_deliveries d SET lease_owner = :owner, "
				+ "lease_until = now() + make_interval(secs => :lease) WHERE d.id IN (SELECT id FROM callback_deliveries "
				+ "WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
				+ "ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) "
				+ "RETURNING d.id, d.webhook_id, d.tenant_id, d.url, d.payload, d.attempts";
		return this.db.sql(sql)
			.bind("owner", owner)
			.bind("lease", seconds(lease))
			.bind("limit", limit)
			.map((row) -> new Claimed(row.get("id", UUID.class), row.get("webhook_id", String.class),
					row.get("tenant_id", UUID.class), row.get("url", String.class), row.get("payload", String.class),
					row.get("attempts", Integer.class)))
			.all();
	}

	/**
	 * Logs {@code attempt} and applies {@code verdict}, releasing the lease. The log row is written even when the
	 * lease was lost meanwhile (the attempt did happen); the delivery's state only while the lease is still ours.
	 */
	Mono<Boolean> record(String owner, UUID delivery, Attempt attempt, Verdict verdict) {
		String sql = "WITH attempt AS (INSERT INTO callback_attempts (delivery_id, attempted_at, status_code, "
				+ "duration_ms, error, response_excerpt) VALUES (:id, :at, :code, :duration, :error, :excerpt)) "
				+ "UPDATE callback_deliveries SET status = :status, attempts = attempts + 1, "
				+ "next_attempt_at = now() + make_interval(secs => :next), lease_owner = NULL, lease_until = NULL, "
				+ "last_error = :last_error, updated_at = now(), "
				+ "delivered_at = CASE WHEN :status = 'delivered' THEN now() ELSE delivered_at END "
				+ "WHERE id = :id AND lease_owner = :owner";
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("id", delivery)
			.bind("at", attempt.at())
			.bind("duration", attempt.durationMs())
			.bind("status", verdict.status())
			.bind("next", seconds((verdict.next() != null) ? verdict.next() : Duration.ZERO))
			.bind("owner", owner);
		spec = bindNullable(spec, "code", attempt.statusCode(), Integer.class);
		spec = bindNullable(spec, "error", attempt.error(), String.class);
		spec = bindNullable(spec, "excerpt", attempt.responseExcerpt(), String.class);
		spec = bindNullable(spec, "last_error", verdict.error(), String.class);
		return spec.fetch().rowsUpdated().map((updated) -> updated > 0);
	}

	/** Gives up {@code owner}'s leases; answers how many. */
	Mono<Long> release(String owner) {
		return this.db.sql("UPDATE callback_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner")
			.bind("owner", owner)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Sends the delivery again from the start of the schedule, with the same webhook id and body. Empty when the
	 * tenant has no such delivery; false while an attempt is in flight.
	 */
	Mono<Boolean> replay(UUID tenant, UUID delivery) {
		String sql = "WITH target AS (SELECT id, (lease_until IS NULL OR lease_until < now()) AS idle "
				+ "FROM callback_deliveries WHERE id = :id AND tenant_id = :tenant), "
				+ "reopened AS (UPDATE callback_deliveries d SET status = 'pending', attempts = 0, next_attempt_at = now(), "
				+ "lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = now() "
				+ "FROM target WHERE d.id = target.id AND target.idle RETURNING d.id) "
				+ "SELECT EXISTS (SELECT 1 FROM reopened) AS reopened FROM target";
		return this.db.sql(sql)
			.bind("id", delivery)
			.bind("tenant", tenant)
			.map((row) -> Boolean.TRUE.equals(row.get("reopened", Boolean.class)))
			.one();
	}

	Mono<DeliveryView> find(UUID tenant, UUID delivery) {
		return this.db.sql("SELECT " + VIEW_COLUMNS + " FROM callback_deliveries WHERE id = :id AND tenant_id = :tenant")
			.bind("id", delivery)
			.bind("tenant", tenant)
			.map(DeliveryQueue::view)
			.all()
			.collectList()
			.flatMap(this::withAttempts)
			.flatMap((views) -> Mono.justOrEmpty(views.stream().findFirst()));
	}

	/** The tenant's newest deliveries, of one job when {@code job} is given, each with its attempts. */
	Mono<List<DeliveryView>> list(UUID tenant, @Nullable UUID job, int limit) {
		String sql = "SELECT " + VIEW_COLUMNS + " FROM callback_deliveries WHERE tenant_id = :tenant"
				+ ((job != null) ? " AND job_id = :job" : "") + " ORDER BY created_at DESC, event_id DESC LIMIT :limit";
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql).bind("tenant", tenant).bind("limit", limit);
		if (job != null) {
			spec = spec.bind("job", job);
		}
		return spec.map(DeliveryQueue::view).all().collectList().flatMap(this::withAttempts);
	}

	private Mono<List<DeliveryView>> withAttempts(List<DeliveryView> deliveries) {
		if (deliveries.isEmpty()) {
			return Mono.just(deliveries);
		}
		return this.db
			.sql("SELECT delivery_id, attempted_at, status_code, duration_ms, error, response_excerpt "
					+ "FROM callback_attempts WHERE delivery_id = ANY(:ids) ORDER BY id")
			.bind("ids", deliveries.stream().map(DeliveryView::id).toArray(UUID[]::new))
			.map((row) -> Map.entry(row.get("delivery_id", UUID.class),
					new DeliveryView.AttemptView(row.get("attempted_at", Instant.class),
							row.get("status_code", Integer.class), row.get("duration_ms", Long.class),
							row.get("error", String.class), row.get("response_excerpt", String.class))))
			.all()
			.collect(Collectors.groupingBy(Map.Entry::getKey,
					Collectors.mapping(Map.Entry::getValue, Collectors.toList())))
			.map((attempts) -> deliveries.stream()
				.map((view) -> new DeliveryView(view.id(), view.webhookId(), view.jobId(), view.eventId(),
						view.eventType(), view.url(), view.status(), view.nextAttemptAt(), view.lastError(),
						view.createdAt(), view.deliveredAt(), attempts.getOrDefault(view.id(), List.of())))
				.toList());
	}

	private static DeliveryView view(Readable row) {
		String status = row.get("status", String.class);
		return new DeliveryView(row.get("id", UUID.class), row.get("webhook_id", String.class),
				row.get("job_id", UUID.class), row.get("event_id", Long.class), row.get("event_type", String.class),
				row.get("url", String.class), status,
				PENDING.equals(status) ? row.get("next_attempt_at", Instant.class) : null,
				row.get("last_error", String.class), row.get("created_at", Instant.class),
				row.get("delivered_at", Instant.class), List.of());
	}

	static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

	static <T> DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec spec, String name,
			@Nullable T value, Class<T> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

}
