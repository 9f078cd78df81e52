package dev.reelay.tenant;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for tenants and their keys. There is no cache: a key is checked with one lookup on a unique index per request,
 * so a revocation holds at once for the next request on every instance.
 */
@Repository
class ApiKeys {

	private static final String KEY_COLUMNS = "id, tenant_id, name, prefix, created_at, revoked_at";

	private final DatabaseClient db;

	ApiKeys(DatabaseClient db) {
		this.db = db;
	}

	Mono<Tenant> createTenant(String name) {
		return this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name) RETURNING id, name, created_at")
			.bind("id", UUID.randomUUID())
			.bind("name", name)
			.map((row) -> tenant(row))
			.one();
	}

	Flux<Tenant> tenants() {
		return this.db.sql("SELECT id, name, created_at FROM tenants ORDER BY created_at, id").map((row) -> tenant(row)).all();
	}

	Mono<Tenant> tenant(UUID id) {
		return this.db.sql("SELECT id, name, created_at FROM tenants WHERE id = :id")
			.bind("id", id)
			.map((row) -> tenant(row))
			.one();
	}

	/** A new key for {@code tenant}, the only time the key itself is seen; empty if there is no such tenant. */
	Mono<IssuedKey> issue(UUID tenant, String name) {
		String key = ApiKey.generate();
		return this.db.sql("INSERT INTO api_keys (id, tenant_id, name, prefix, key_sha256) "
				+ "SELECT :id, t.id, :name, :prefix, :hash FROM tenants t WHERE t.id = :tenant RETURNING " + KEY_COLUMNS)
			.bind("id", UUID.randomUUID())
			.bind("tenant", tenant)
			.bind("name", name)
			.bind("prefix", ApiKey.shownPrefix(key))
			.bind("hash", ByteBuffer.wrap(ApiKey.sha256(key)))
			.map((row) -> key(row))
			.one()
			.map((stored) -> new IssuedKey(stored.id(), stored.tenantId(), stored.name(), stored.prefix(),
					stored.createdAt(), key));
	}

	Flux<KeyView> keys(UUID tenant) {
		return this.db.sql("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE tenant_id = :tenant ORDER BY created_at, id")
			.bind("tenant", tenant)
			.map((row) -> key(row))
			.all();
	}

	/** Revokes the key (revoking twice keeps the first time); empty if the tenant has no such key. */
	Mono<KeyView> revoke(UUID tenant, UUID keyId) {
		return this.db.sql("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
				+ "WHERE id = :id AND tenant_id = :tenant RETURNING " + KEY_COLUMNS)
			.bind("id", keyId)
			.bind("tenant", tenant)
			.map((row) -> key(row))
			.one();
	}

	/** Which key of which tenant {@code presented} is, if it is a key that is not revoked. */
	Mono<Caller> caller(@Nullable String presented) {
		if (!ApiKey.looksLikeKey(presented)) {
			return Mono.empty();
		}
		return this.db.sql("SELECT id, tenant_id FROM api_keys WHERE key_sha256 = :hash AND revoked_at IS NULL")
			.bind("hash", ByteBuffer.wrap(ApiKey.sha256(presented)))
			.map((row) -> new Caller(row.get("id", UUID.class), row.get("tenant_id", UUID.class)))
			.one();
	}

	/**
	 * Keys revoked after {@code since} (database time), and the database's time now, to ask from next time: one
	 * query per instance and check, however many streams are open.
	 */
	Mono<Revoked> revokedSince(Instant since) {
		return this.db.sql("SELECT now() AS now, coalesce(array_agg(id), '{}') AS ids FROM api_keys "
				+ "WHERE revoked_at >= :since")
			.bind("since", since)
			.map((row) -> new Revoked(List.of(row.get("ids", UUID[].class)), row.get("now", Instant.class)))
			.one();
	}

	record Caller(UUID key, UUID tenant) {
	}

	record Revoked(List<UUID> keys, Instant asOf) {
	}

	private static Tenant tenant(Readable row) {
		return new Tenant(row.get("id", UUID.class), row.get("name", String.class), row.get("created_at", Instant.class));
	}

	private static KeyView key(Readable row) {
		return new KeyView(row.get("id", UUID.class), row.get("tenant_id", UUID.class), row.get("name", String.class),
				row.get("prefix", String.class), row.get("created_at", Instant.class),
				row.get("revoked_at", Instant.class));
	}

	record Tenant(UUID id, String name, Instant createdAt) {
	}

	/** A key as listings show it: never the key, only its first characters. */
	record KeyView(UUID id, UUID tenantId, String name, String prefix, Instant createdAt, @Nullable Instant revokedAt) {
	}

	/** A key just created: the answer to its creation is the only place the key appears. */
	record IssuedKey(UUID id, UUID tenantId, String name, String prefix, Instant createdAt, String key) {
	}

}
