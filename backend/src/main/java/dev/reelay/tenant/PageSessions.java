package dev.reelay.tenant;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * The page's sign-in sessions. The cookie holds a random session id (32 bytes from {@link SecureRandom}, 256 bits),
 * never the key; only the id's SHA-256 is stored (like keys: with that much entropy a plain hash cannot be reversed
 * or guessed, and it can be found by an index). A session lasts a fixed {@code reelay.security.session.lifetime}
 * from sign-in, holds only while the key it was opened with is not revoked, and ends at sign-out. Like keys, it is
 * looked up on every request, never cached.
 */
@Repository
class PageSessions {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** 32 bytes in base64url, no padding. */
	private static final int LENGTH = 43;

	private final DatabaseClient db;

	private final Duration lifetime;

	PageSessions(DatabaseClient db, ClientTrustSettings settings) {
		this.db = db;
		this.lifetime = settings.session().lifetime();
		if (this.lifetime.isNegative() || this.lifetime.isZero()) {
			throw new IllegalArgumentException("reelay.security.session.lifetime must be positive; got " + this.lifetime);
		}
	}

	Duration lifetime() {
		return this.lifetime;
	}

	/** A new session for the caller's key; the answer is the only place its id appears. */
	Mono<String> open(ApiKeys.Caller caller) {
		byte[] random = new byte[32];
		RANDOM.nextBytes(random);
		String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
		return prune().then(this.db.sql("INSERT INTO page_sessions (id, id_sha256, tenant_id, key_id, expires_at) "
				+ "VALUES (:id, :hash, :tenant, :key, now() + make_interval(secs => :seconds))")
			.bind("id", UUID.randomUUID())
			.bind("hash", ByteBuffer.wrap(ApiKey.sha256(token)))
			.bind("tenant", caller.tenant())
			.bind("key", caller.key())
			.bind("seconds", (double) this.lifetime.toSeconds())
			.then()
			.thenReturn(token));
	}

	/** The session {@code token} names, if it has not expired or ended and its key is not revoked. */
	Mono<Session> find(@Nullable String token) {
		if (token == null || token.length() != LENGTH) {
			return Mono.empty();
		}
		return this.db.sql("SELECT s.id, s.key_id, s.tenant_id, s.expires_at FROM page_sessions s "
				+ "JOIN api_keys k ON k.id = s.key_id "
				+ "WHERE s.id_sha256 = :hash AND s.ended_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL")
			.bind("hash", ByteBuffer.wrap(ApiKey.sha256(token)))
			.map((row) -> new Session(row.get("id", UUID.class),
					new ApiKeys.Caller(row.get("key_id", UUID.class), row.get("tenant_id", UUID.class)),
					row.get("expires_at", Instant.class)))
			.one();
	}

	/** Ends the session at once on every instance; the id of the session it ended, if there was one. */
	Mono<UUID> end(@Nullable String token) {
		if (token == null || token.length() != LENGTH) {
			return Mono.empty();
		}
		return this.db.sql("UPDATE page_sessions SET ended_at = now() WHERE id_sha256 = :hash AND ended_at IS NULL "
				+ "RETURNING id")
			.bind("hash", ByteBuffer.wrap(ApiKey.sha256(token)))
			.map((row) -> row.get("id", UUID.class))
			.one();
	}

	/**
	 * Sessions ended after {@code since} (database time) and the database's time now, for {@link SessionEnds}: one
	 * query per instance and check, however many streams are open.
	 */
	Mono<ApiKeys.Revoked> endedSince(Instant since) {
		return this.db.sql("SELECT now() AS now, coalesce(array_agg(id), '{}') AS ids FROM page_sessions "
				+ "WHERE ended_at >= :since")
			.bind("since", since)
			.map((row) -> new ApiKeys.Revoked(List.of(row.get("ids", UUID[].class)), row.get("now", Instant.class)))
			.one();
	}

	/**
	 * Deletes, a batch at a time at each sign-in, sessions expired or ended more than an hour ago (an ended one stays
	 * that long so that every instance's stream check sees it end).
	 */
	private Mono<Void> prune() {
		return this.db.sql("DELETE FROM page_sessions WHERE id IN (SELECT id FROM page_sessions "
				+ "WHERE expires_at < now() - interval '1 hour' OR ended_at < now() - interval '1 hour' LIMIT 100)")
			.then();
	}

	/** A live session: its row id (not the secret), the key and tenant it acts for, and when it expires. */
	record Session(UUID id, ApiKeys.Caller caller, Instant expiresAt) {
	}

}
