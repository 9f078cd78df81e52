package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;

import dev.reelay.job.JobEventLog;
import io.r2dbc.postgresql.api.Notification;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.stereotype.Component;

/**
 * PostgreSQL's announcements of new events, heard on one dedicated connection (outside the pool, which would
 * otherwise recycle it). The log tail is its only subscriber, so an instance holds one listening connection
 * however many streams it serves.
 */
@Component
class EventNotifications {

	/** Not an event id: "(re)connected, read the log", so whatever was announced while deaf is caught up. */
	static final long CONNECTED = 0;

	/** Shows in pg_stat_activity, so the listening connection is easy to find. */
	static final String APPLICATION_NAME = "reelay-event-listener";

	private static final Logger log = LoggerFactory.getLogger(EventNotifications.class);

	private final ConnectionFactory connections;

	private final StreamSettings settings;

	// For health: when the current LISTEN took effect (null while not listening), and why the last one ended.
	private volatile @Nullable Instant listeningSince;

	private volatile @Nullable String lastLoss;

	EventNotifications(ConnectionFactory connectionFactory, StreamSettings settings) {
		this.connections = unpooled(connectionFactory);
		this.settings = settings;
	}

	/**
	 * Announced event ids, with {@link #CONNECTED} after each (re)connect. Holds the connection while subscribed;
	 * never ends by itself: a lost connection (error, or no answer to a periodic probe) is replaced after a backoff.
	 */
	Flux<Long> eventIds() {
		return Flux.usingWhen(Mono.from(this.connections.create()), this::listen, Connection::close)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
				.maxBackoff(Duration.ofSeconds(5))
				.transientErrors(true)
				.doBeforeRetry((signal) -> {
					this.listeningSince = null;
					this.lastLoss = signal.failure().toString();
					log.warn("event listener connection lost; reconnecting: {}", this.lastLoss);
				}))
			.doFinally((signal) -> this.listeningSince = null);
	}

	private Flux<Long> listen(Connection connection) {
		if (!(connection instanceof PostgresqlConnection postgres)) {
			return Flux.error(new IllegalStateException(
					"Live streams need PostgreSQL LISTEN/NOTIFY; the database connection is " + connection));
		}
		Flux<Long> announced = postgres.getNotifications()
			.map(EventNotifications::eventId)
			.concatWith(Mono.error(() -> new IllegalStateException("the listening connection was closed")));
		// A half-open TCP connection raises no error: probing it is the only way to notice.
		Duration check = this.settings.listenerCheck();
		Flux<Long> probes = Flux.interval(check, check)
			.onBackpressureDrop()
			.concatMap((tick) -> execute(postgres, "SELECT 1").timeout(check), 1)
			.thenMany(Flux.empty());
		return execute(postgres, "SET application_name = '" + APPLICATION_NAME + "'")
			.then(execute(postgres, "LISTEN " + JobEventLog.CHANNEL))
			.doOnSuccess((done) -> {
				this.listeningSince = Instant.now();
				log.info("listening for events on channel {}", JobEventLog.CHANNEL);
			})
			.thenMany(Flux.merge(Flux.just(CONNECTED).concatWith(announced), probes));
	}

	/** Since when this instance is listening, or null while it is (re)connecting or stopped. */
	@Nullable Instant listeningSince() {
		return this.listeningSince;
	}

	/** Why the last listening connection ended, if one did. */
	@Nullable String lastLoss() {
		return this.lastLoss;
	}

	private static Mono<Void> execute(PostgresqlConnection connection, String sql) {
		return connection.createStatement(sql).execute().flatMap(PostgresqlResult::getRowsUpdated).then();
	}

	private static long eventId(Notification notification) {
		try {
			return Long.parseLong(notification.getParameter());
		}
		catch (NumberFormatException | NullPointerException ex) {
			// Someone else used the channel; reading the log is always safe.
			return CONNECTED;
		}
	}

	/** The driver's own factory under the pool (and any other wrapper), so the connection is not a pooled one. */
	static ConnectionFactory unpooled(ConnectionFactory factory) {
		ConnectionFactory current = factory;
		while (current instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner
				&& inner != current) {
			current = inner;
		}
		return current;
	}

}
