package dev.reelay.ops;

import java.time.Instant;
import java.util.List;

import dev.reelay.catalog.ProviderStates;
import dev.reelay.provider.InstanceBreakers;
import dev.reelay.provider.ProviderPauses;
import dev.reelay.provider.ProviderSettings;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One provider instance as this Reelay sees it, from configuration, the catalog and the pauses the dispatcher
 * recorded: a health check never spends a provider request.
 */
final class ProviderInstanceHealth implements ReactiveHealthIndicator {

	static final Status DISABLED = new Status("DISABLED", "Not used: switched off or missing its API key");

	static final Status RETIRED = new Status("RETIRED", "Every model it serves is retired");

	static final Status PAUSED = new Status("PAUSED", "Not called until the pause ends (rate limited)");

	private final String name;

	private final ProviderSettings.Instance settings;

	private final ProviderStates states;

	private final ProviderPauses pauses;

	ProviderInstanceHealth(String name, ProviderSettings.Instance settings, ProviderStates states,
			ProviderPauses pauses) {
		this.name = name;
		this.settings = settings;
		this.states = states;
		this.pauses = pauses;
	}

	@Override
	public Mono<Health> health() {
		ProviderStates.State state = this.states.of(this.name);
		List<String> models = state.models();
		if (state.kind() == ProviderStates.Kind.DISABLED) {
			return described(Health.status(DISABLED).withDetail("state", "disabled").withDetail("reason",
					state.reason()), models);
		}
		if (state.kind() == ProviderStates.Kind.RETIRED) {
			return described(Health.status(RETIRED).withDetail("state", "retired").withDetail("reason",
					state.reason()), models);
		}
		return this.pauses.current(this.name, Instant.now())
			.map((pause) -> Health.status(PAUSED)
				.withDetail("state", "paused")
				.withDetail("paused_until", pause.until().toString())
				.withDetail("reason", pause.reason()))
			.defaultIfEmpty(Health.up().withDetail("state", "enabled"))
			// The database being down is the r2dbc component's news; here it only means the pause is unknown.
			.onErrorResume((error) -> Mono.just(Health.unknown()
				.withDetail("state", "unknown")
				.withDetail("reason", "could not read pauses: " + error.getClass().getSimpleName())))
			.flatMap((health) -> described(health, models));
	}

	private Mono<Health> described(Health.Builder health, List<String> models) {
		InstanceBreakers.Status breaker = this.states.of(this.name).breaker();
		health.withDetail("circuit_breaker", breaker.state().value());
		if (breaker.until() != null) {
			health.withDetail("circuit_breaker_probe_at", breaker.until().toString());
		}
		return Mono.just(health.withDetail("family", this.settings.family()).withDetail("models", models).build());
	}

}
