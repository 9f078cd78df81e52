package dev.reelay.callback;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.job.JobEventLog;
import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Periodic;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Follows the job event log from a durable cursor and turns the state changes of jobs with a callback URL (their
 * own, else their tenant's default) into delivery rows, idempotently (one per event and URL, one per state and
 * URL). It writes nothing in the job's transaction. One instance at a time holds the cursor's lease.
 * <p>
 * Event ids commit out of order, so the cursor only moves up to a settled head: the newest id seen at one moment,
 * once every transaction that appends to the log and began before that moment has ended (the rule the stream's
 * {@code GapAwareCursor} settles holes by; {@code JobEventLog#append} explains why it holds). An appender
 * open longer than {@code gap-grace} is passed over with a warning, as the streams do; the ids it passed over are
 * remembered and forwarded late if they appear, until every transaction that could commit them has ended.
 */
@Component
class EventForwarder implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(EventForwarder.class);

	// The states a client hears about; submitting, reconciling and downloading are Reelay's own steps.
	private static final String STATES = "('queued', 'submitted', 'in_progress', 'completed', 'failed', 'canceled', "
			+ "'deleted')";

	// OpenAI's video events: a video completed, or failed (a canceled job is a failed video there).
	private static final String OPENAI_STATES = "('completed', 'failed', 'canceled')";

	private static final String TYPE = "CASE WHEN c.format <> 'openai' THEN 'job.' || c.state "
			+ "WHEN c.state = 'completed' THEN 'video.completed' ELSE 'video.failed' END";

	private static final String CANDIDATES = "WITH candidates AS (SELECT e.id AS event_id, e.job_id, j.tenant_id, "
			// A deletion keeps the job's last status in its payload; its state is the event's own.
			+ "e.created_at, e.payload, CASE WHEN e.type = 'job.deleted' THEN 'deleted' ELSE e.payload->>'status' END "
			+ "AS state, "
			+ "coalesce(j.parameters->>'callback_url', s.default_url) AS url, coalesce(s.format, 'reelay') AS format "
			+ "FROM job_events e "
			+ "JOIN jobs j ON j.id = e.job_id LEFT JOIN callback_settings s ON s.tenant_id = j.tenant_id WHERE ";

	private static final String INSERT = "backlog AS (SELECT tenant_id, count(*) AS waiting FROM callback_deliveries WHERE status = 'pending' "
			+ "AND tenant_id IN (SELECT tenant_id FROM candidates) GROUP BY tenant_id), "
			+ "inserted AS (INSERT INTO callback_deliveries (id, webhook_id, tenant_id, job_id, event_id, event_type, "
			+ "url, payload, status, next_attempt_at, last_error) "
			+ "SELECT gen_random_uuid(), 'msg_' || replace(gen_random_uuid()::text, '-', ''), c.tenant_id, c.job_id, "
			+ "c.event_id, " + TYPE + ", c.url, CASE WHEN c.format = 'openai' THEN json_build_object('object', 'event', "
			+ "'id', 'evt_' || replace(c.job_id::text, '-', '') || c.event_id, 'type', " + TYPE + ", 'created_at', "
			+ "floor(extract(epoch FROM c.created_at))::bigint, 'data', json_build_object('id', 'video_' || c.job_id)) "
			+ "ELSE json_build_object('type', 'job.' || c.state, 'timestamp', "
			+ "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'data', c.payload) END::text, "
			+ "CASE WHEN coalesce(b.waiting, 0) >= :max_pending THEN 'failed' ELSE 'pending' END, "
			+ "now() + make_interval(secs => :first_delay), "
			+ "CASE WHEN coalesce(b.waiting, 0) >= :max_pending THEN 'not queued: the tenant already had ' "
			+ "|| b.waiting || ' webhooks waiting (reelay.callbacks.max-pending-per-tenant); replay it later' END "
			+ "FROM candidates c LEFT JOIN backlog b ON b.tenant_id = c.tenant_id "
			+ "WHERE c.url IS NOT NULL AND CASE WHEN c.format = 'openai' THEN c.state IN " + OPENAI_STATES
			+ " ELSE c.state IN " + STATES + " END ORDER BY c.event_id "
			+ "ON CONFLICT DO NOTHING RETURNING 1) ";

	private static final String FORWARD = CANDIDATES + "e.id > :after AND e.id <= :up_to), " + INSERT
			+ "UPDATE callback_forwarder SET position = :up_to, lease_until = now() + make_interval(secs => :lease) "
			+ "WHERE singleton AND lease_owner = :owner RETURNING (SELECT count(*) FROM inserted) AS inserted";

	// Ids passed over while missing (see skip): the ones that appeared since are forwarded late (the insert is
	// idempotent, so a race with another instance adds nothing twice); they are forgotten once forwarded, or once
	// every transaction that could still commit them had ended before this statement began (rolled back).
	private static final String FORWARD_LATE = CANDIDATES
			+ "e.id IN (SELECT event_id FROM callback_forwarder_gaps)), " + INSERT
			+ ", forgotten AS (DELETE FROM callback_forwarder_gaps WHERE event_id IN (SELECT event_id FROM candidates) "
			+ "OR horizon = ANY(:ended) RETURNING 1) "
			+ "SELECT (SELECT count(*) FROM inserted) AS inserted, (SELECT count(*) FROM forgotten) AS forgotten";

	// Bounds the ids remembered per pass-over; far more than a stalled transaction can hold.
	private static final int MAX_SKIPPED = 10_000;

	private final DatabaseClient db;

	private final JobEventLog events;

	private final DeliverySender sender;

	private final CallbackSettings settings;

	private final String owner;

	// Touched only by the forwarding loop, one cycle at a time.
	private @Nullable Snapshot snapshot;

	private final Periodic loop;

	@Autowired
	EventForwarder(DatabaseClient db, JobEventLog events, DeliverySender sender, CallbackSettings settings) {
		this(db, events, sender, settings,
				ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8));
	}

	EventForwarder(DatabaseClient db, JobEventLog events, DeliverySender sender, CallbackSettings settings,
			String owner) {
		this.db = db;
		this.events = events;
		this.sender = sender;
		this.settings = settings;
		this.owner = owner;
		this.loop = new Periodic(Duration.ZERO, settings.poll(), this::cycle, log,
				"forwarding job events to webhooks failed; will try again");
	}

	/** The newest id seen at {@code seenAt}, and a transaction id taken after it. */
	private record Snapshot(long head, long horizon, Instant seenAt) {
	}

	/** Liveness: each run bounded and each successful one reported (health {@code backgroundLoops}). */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.loop.watched(loops, "event-forwarder");
	}

	@Override
	public void start() {
		if (this.settings.enabled()) {
			this.loop.start();
		}
	}

	/**
	 * One pass: take the cursor's lease, forward ids that were passed over and appeared since, and forward
	 * everything up to the settled head.
	 */
	Mono<Void> cycle() {
		return lease().flatMap((position) -> forwardLate()
			.then(settledHead(position).flatMap((head) -> forward(position, head))))
			.then();
	}

	private Mono<Void> forwardLate() {
		// Which holders have ended is learned before the read, so an id still missing from it was rolled back.
		return this.db.sql("SELECT DISTINCT horizon FROM callback_forwarder_gaps")
			.map((row) -> row.get("horizon", Long.class))
			.all()
			.collectList()
			// Nothing passed over (the usual case): no second statement.
			.filter((horizons) -> !horizons.isEmpty())
			.flatMap((horizons) -> Flux.fromIterable(horizons)
				.concatMap((horizon) -> this.events.appendersOpenBefore(horizon)
					.flatMap((open) -> open ? Mono.<Long>empty() : Mono.just(horizon)))
				.collectList())
			.flatMap((ended) -> this.db.sql(FORWARD_LATE)
				.bind("ended", ended.toArray(Long[]::new))
				.bind("max_pending", this.settings.maxPendingPerTenant())
				.bind("first_delay", DeliveryQueue.seconds(this.settings.schedule().get(0)))
				.map((row) -> row.get("inserted", Long.class))
				.one())
			.doOnNext((inserted) -> {
				if (inserted > 0) {
					log.info("forwarded {} late event(s) that had been passed over", inserted);
					this.sender.wake();
				}
			})
			.then();
	}

	/** Remembers the ids missing in {@code (position, head]}, about to be passed over, for {@link #forwardLate()}. */
	private Mono<Void> skip(long position, Snapshot snap) {
		return this.db.sql("INSERT INTO callback_forwarder_gaps (event_id, horizon) SELECT g, :horizon "
				+ "FROM generate_series(CAST(:after AS bigint) + 1, CAST(:head AS bigint)) g "
				+ "WHERE NOT EXISTS (SELECT 1 FROM job_events e WHERE e.id = g) LIMIT :max ON CONFLICT DO NOTHING")
			.bind("horizon", snap.horizon())
			.bind("after", position)
			.bind("head", snap.head())
			.bind("max", MAX_SKIPPED)
			.fetch()
			.rowsUpdated()
			.then();
	}

	private Mono<Long> lease() {
		return this.db.sql("UPDATE callback_forwarder SET lease_owner = :owner, "
				+ "lease_until = now() + make_interval(secs => :lease) WHERE singleton AND (lease_owner = :owner "
				+ "OR lease_owner IS NULL OR lease_until < now()) RETURNING position")
			.bind("owner", this.owner)
			.bind("lease", DeliveryQueue.seconds(this.settings.lease()))
			.map((row) -> row.get("position", Long.class))
			.one();
	}

	private Mono<Long> settledHead(long position) {
		Snapshot taken = this.snapshot;
		Mono<Snapshot> current = (taken != null) ? Mono.just(taken)
				: this.events.head()
					.flatMap((head) -> this.events.transactionHorizon()
						.map((horizon) -> new Snapshot(head, horizon, Instant.now())))
					.doOnNext((fresh) -> this.snapshot = fresh);
		return current.flatMap((snap) -> this.events.appendersOpenBefore(snap.horizon()).flatMap((open) -> {
			boolean overdue = Duration.between(snap.seenAt(), Instant.now()).compareTo(this.settings.gapGrace()) >= 0;
			if (open && !overdue) {
				return Mono.empty();
			}
			if (!open) {
				this.snapshot = null;
				return Mono.just(snap.head());
			}
			log.warn("an event log transaction stayed open for {}; forwarding past it to event {} (its events are "
					+ "forwarded if they appear later)", this.settings.gapGrace(), snap.head());
			return skip(position, snap).then(Mono.fromCallable(() -> {
				this.snapshot = null;
				return snap.head();
			}));
		}));
	}

	private Mono<Void> forward(long position, long head) {
		if (head <= position) {
			return Mono.empty();
		}
		long upTo = Math.min(head, position + this.settings.forwardChunk());
		return this.db.sql(FORWARD)
			.bind("after", position)
			.bind("up_to", upTo)
			.bind("max_pending", this.settings.maxPendingPerTenant())
			.bind("first_delay", DeliveryQueue.seconds(this.settings.schedule().get(0)))
			.bind("lease", DeliveryQueue.seconds(this.settings.lease()))
			.bind("owner", this.owner)
			.map((row) -> row.get("inserted", Long.class))
			.one()
			.doOnNext((inserted) -> {
				if (inserted > 0) {
					this.sender.wake();
				}
			})
			// No row: the lease went to another instance meanwhile, which carries on from the stored position.
			.flatMap((inserted) -> forward(upTo, head));
	}

	@Override
	public void stop() {
		if (!this.loop.stop()) {
			return;
		}
		this.snapshot = null;
		// Hand the cursor over at once rather than after the lease.
		this.db.sql("UPDATE callback_forwarder SET lease_owner = NULL WHERE lease_owner = :owner")
			.bind("owner", this.owner)
			.fetch()
			.rowsUpdated()
			.subscribe((released) -> {
			}, (error) -> log.warn("could not release the forwarder's lease; it expires by itself: {}",
					error.toString()));
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

}
