package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;

import dev.reelay.provider.ProviderPauses;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Provider calls and pauses as PostgreSQL rows, so every instance counts the same windows. Callers hold the
 * scope's advisory lock (see {@link #lock}) while they count and record.
 */
@Component
class CallLedger implements ProviderPauses {

	static final String SUBMIT = "submit";

	static final String POLL = "poll";

	private final DatabaseClient db;

	CallLedger(DatabaseClient db) {
		this.db = db;
	}

	/** Serializes limit decisions for one scope across instances until the transaction ends. */
	Mono<Void> lock(String scope, String kind) {
		return this.db.sql("SELECT pg_advisory_xact_lock(hashtext(:key))")
			.bind("key", "reelay:" + kind + ":" + scope)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/** Calls of {@code kind} recorded for {@code scope} in the window ending at {@code now}. */
	Mono<Long> countSince(String scope, String kind, Instant now, Duration window) {
		return this.db.sql("SELECT count(*) AS n FROM provider_calls WHERE scope = :scope AND kind = :kind AND at > :since")
			.bind("scope", scope)
			.bind("kind", kind)
			.bind("since", now.minus(window))
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	Mono<Void> record(String scope, String kind, Instant at, int count) {
		if (count <= 0) {
			return Mono.empty();
		}
		return this.db.sql("INSERT INTO provider_calls (scope, kind, at) SELECT :scope, :kind, :at FROM generate_series(1, :n)")
			.bind("scope", scope)
			.bind("kind", kind)
			.bind("at", at)
			.bind("n", count)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/**
	 * Gives back one permit of {@code kind} recorded for {@code scope} at {@code at} whose call was never sent (a
	 * permit taken again at the call, see {@code ProviderGate#retake}). Removing a call that did not happen can only
	 * lower a window's count, never let one exceed its limit.
	 */
	Mono<Void> giveBack(String scope, String kind, Instant at) {
		return this.db.sql("DELETE FROM provider_calls WHERE ctid = (SELECT ctid FROM provider_calls "
				+ "WHERE scope = :scope AND kind = :kind AND at = :at LIMIT 1)")
			.bind("scope", scope)
			.bind("kind", kind)
			.bind("at", at)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/** Holds every call to {@code provider} until {@code until}; a later pause never shortens an earlier one. */
	Mono<Void> pause(String provider, Instant until, String reason) {
		return this.db.sql("INSERT INTO provider_pauses (provider, until, reason) VALUES (:provider, :until, :reason) "
				+ "ON CONFLICT (provider) DO UPDATE SET until = GREATEST(provider_pauses.until, EXCLUDED.until), "
				+ "reason = EXCLUDED.reason")
			.bind("provider", provider)
			.bind("until", until)
			.bind("reason", reason)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/** Until when {@code provider} is paused, or empty when it is not. */
	Mono<Instant> pausedUntil(String provider, Instant now) {
		return this.db.sql("SELECT until FROM provider_pauses WHERE provider = :provider AND until > :now")
			.bind("provider", provider)
			.bind("now", now)
			.map((row) -> row.get("until", Instant.class))
			.one();
	}

	@Override
	public Mono<Pause> current(String provider, Instant now) {
		return this.db.sql("SELECT until, reason FROM provider_pauses WHERE provider = :provider AND until > :now")
			.bind("provider", provider)
			.bind("now", now)
			.map((row) -> new Pause(row.get("until", Instant.class), row.get("reason", String.class)))
			.one();
	}

	/**
	 * Forgets calls older than {@code kept} (the longest window counted, see {@code DispatchSettings#ledgerKept}),
	 * keeping the table small.
	 */
	Mono<Long> prune(Instant now, Duration kept) {
		return this.db.sql("DELETE FROM provider_calls WHERE at < :before")
			.bind("before", now.minus(kept))
			.fetch()
			.rowsUpdated();
	}

}
