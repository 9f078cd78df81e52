package dev.reelay.ops;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.provider.ProviderPauses;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.ProviderSettings;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One provider instance as this Reelay sees it, from configuration, the catalog and reported pauses alone: a
 * health check never spends a provider request.
 */
final class ProviderInstanceHealth implements HealthIndicator {

	static final Status DISABLED = new Status("DISABLED", "Not used: switched off or missing its API key");

	static final Status RETIRED = new Status("RETIRED", "Every model it serves is retired");

	static final Status PAUSED = new Status("PAUSED", "Not called until the pause ends (rate limited)");

	private final String name;

	private final ProviderRegistry providers;

	private final ProviderSettings.Instance settings;

	private final ModelCatalog catalog;

	private final ProviderPauses pauses;

	ProviderInstanceHealth(String name, ProviderRegistry providers, ModelCatalog catalog, ProviderPauses pauses) {
		this.name = name;
		this.providers = providers;
		this.settings = providers.settings(name);
		this.catalog = catalog;
		this.pauses = pauses;
	}

	@Override
	public Health health() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		List<ModelSpec> models = this.catalog.all().stream().filter((model) -> model.provider().equals(this.name)).toList();
		Health.Builder health;
		Optional<ProviderPauses.Pause> pause = this.pauses.current(this.name, Instant.now());
		if (!this.settings.enabled()) {
			health = Health.status(DISABLED).withDetail("state", "disabled").withDetail("reason", "enabled is false");
		}
		else if (this.providers.lacksApiKey(this.name)) {
			health = Health.status(DISABLED)
				.withDetail("state", "disabled")
				.withDetail("reason", "no API key (REELAY_PROVIDERS_INSTANCES_"
						+ this.name.toUpperCase(Locale.ROOT).replace('-', '_') + "_API_KEY)");
		}
		else if (!models.isEmpty() && models.stream().allMatch((model) -> model.isRetired(today))) {
			health = Health.status(RETIRED).withDetail("state", "retired");
		}
		else if (pause.isPresent()) {
			health = Health.status(PAUSED)
				.withDetail("state", "paused")
				.withDetail("paused_until", pause.get().until().toString())
				.withDetail("reason", pause.get().reason());
		}
		else {
			health = Health.up().withDetail("state", "enabled");
		}
		return health.withDetail("family", this.settings.family())
			.withDetail("models", models.stream().map(ModelSpec::id).toList())
			.build();
	}

}
