package dev.reelay.callback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Each tenant's webhook settings: the default URL for jobs that name none, and the signing secret, made at random
 * the first time it is needed and sealed by {@link SecretBox} before it is stored. After a rotation the previous
 * secret keeps signing alongside the new one for {@code rotation-grace}, so receivers can switch without a gap.
 */
@Component
class TenantCallbacks {

	/** How webhooks are written: Reelay's job events, or OpenAI's video events. */
	static final List<String> FORMATS = List.of("reelay", "openai");

	private static final String COLUMNS = "tenant_id, default_url, secret, secret_created_at, previous_secret, "
			+ "previous_until, previous_until > now() AS previous_valid, format";

	private final DatabaseClient db;

	private final SecretBox box;

	private final CallbackSettings settings;

	TenantCallbacks(DatabaseClient db, SecretBox box, CallbackSettings settings) {
		this.db = db;
		this.box = box;
		this.settings = settings;
	}

	/** What the tenant may see: its default URL and its secret (current, and the previous one while it signs). */
	record SettingsView(@Nullable String defaultUrl, String secret, Instant secretCreatedAt,
			@Nullable Instant previousSecretSignsUntil, String format) {
	}

	Mono<SettingsView> settings(UUID tenant) {
		return ensure(tenant).then(read(tenant));
	}

	Mono<SettingsView> defaultUrl(UUID tenant, @Nullable String url) {
		return update(tenant, url, null);
	}

	/** Sets the default URL, and the format when one is given. */
	Mono<SettingsView> update(UUID tenant, @Nullable String url, @Nullable String format) {
		return ensure(tenant).then(DeliveryQueue.bindNullable(DeliveryQueue.bindNullable(this.db.sql(
				"UPDATE callback_settings SET default_url = :url, format = coalesce(:format, format), "
						+ "updated_at = now() WHERE tenant_id = :tenant"),
				"url", url, String.class), "format", format, String.class)
			.bind("tenant", tenant)
			.fetch()
			.rowsUpdated()).then(read(tenant));
	}

	Mono<SettingsView> rotate(UUID tenant) {
		String sealed = this.box.seal(tenant.toString(), WebhookSigner.newSecret());
		return ensure(tenant).then(this.db.sql("UPDATE callback_settings SET previous_secret = secret, "
				+ "previous_until = now() + make_interval(secs => :grace), secret = :secret, secret_created_at = now(), "
				+ "updated_at = now() WHERE tenant_id = :tenant")
			.bind("grace", DeliveryQueue.seconds(this.settings.rotationGrace()))
			.bind("secret", sealed)
			.bind("tenant", tenant)
			.fetch()
			.rowsUpdated()).then(read(tenant));
	}

	/** The secrets that sign the tenant's webhooks now: the current one first. */
	Mono<List<String>> signingSecrets(UUID tenant) {
		return ensure(tenant).then(row(tenant).map((row) -> {
			List<String> secrets = new ArrayList<>(2);
			secrets.add(this.box.open(tenant.toString(), row.secret()));
			String previous = row.previous();
			if (previous != null && row.previousValid()) {
				secrets.add(this.box.open(tenant.toString(), previous));
			}
			return secrets;
		}));
	}

	/** Gives the tenant a settings row with a fresh secret if it has none; a 404 when there is no such tenant. */
	private Mono<Void> ensure(UUID tenant) {
		return this.db.sql("WITH known AS (SELECT id FROM tenants WHERE id = :tenant), "
				+ "made AS (INSERT INTO callback_settings (tenant_id, secret) SELECT id, :secret FROM known "
				+ "ON CONFLICT (tenant_id) DO NOTHING) SELECT count(*) AS found FROM known")
			.bind("tenant", tenant)
			.bind("secret", this.box.seal(tenant.toString(), WebhookSigner.newSecret()))
			.map((row) -> row.get("found", Long.class))
			.one()
			.flatMap((found) -> (found > 0) ? Mono.<Void>empty()
					: Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "No tenant with id " + tenant)));
	}

	private Mono<SettingsView> read(UUID tenant) {
		return row(tenant).map((row) -> new SettingsView(row.defaultUrl(), this.box.open(tenant.toString(), row.secret()),
				row.created(), row.previousValid() ? row.previousUntil() : null, row.format()));
	}

	private Mono<Row> row(UUID tenant) {
		return this.db.sql("SELECT " + COLUMNS + " FROM callback_settings WHERE tenant_id = :tenant")
			.bind("tenant", tenant)
			.map((row) -> new Row(row.get("default_url", String.class), row.get("secret", String.class),
					row.get("secret_created_at", Instant.class), row.get("previous_secret", String.class),
					row.get("previous_until", Instant.class),
					Boolean.TRUE.equals(row.get("previous_valid", Boolean.class)), row.get("format", String.class)))
			.one();
	}

	/** A settings row; the secrets still sealed. */
	private record Row(@Nullable String defaultUrl, String secret, Instant created, @Nullable String previous,
			@Nullable Instant previousUntil, boolean previousValid, String format) {
	}

}
