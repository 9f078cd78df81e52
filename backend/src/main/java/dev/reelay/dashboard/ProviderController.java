package dev.reelay.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.reelay.catalog.ProviderStates;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.tenant.CallerTenant;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/providers}: every configured provider instance, whether it takes jobs, and how busy it is with
 * the caller's jobs.
 */
@RestController
class ProviderController {

	private final ProviderSettings providers;

	private final ProviderStates states;

	private final JobStatistics statistics;

	private final DashboardSettings settings;

	ProviderController(ProviderSettings providers, ProviderStates states, JobStatistics statistics,
			DashboardSettings settings) {
		this.providers = providers;
		this.states = states;
		this.statistics = statistics;
		this.settings = settings;
	}

	@GetMapping("/api/v1/providers")
	Mono<ProviderList> providers() {
		return CallerTenant.current().flatMap((tenant) -> Mono.zip(
				this.statistics.loadByProvider(tenant).collectMap(JobStatistics.ProviderLoad::provider),
				this.statistics.rateLimitedSince(tenant, Instant.now().minus(this.settings.rateLimitWindow()))
					.collectMap(JobStatistics.ProviderRateLimits::provider, JobStatistics.ProviderRateLimits::refused)))
			.map((counts) -> {
				List<ProviderView> views = this.providers.instances().entrySet().stream().map((entry) -> {
					String name = entry.getKey();
					ProviderSettings.Instance instance = entry.getValue();
					JobStatistics.ProviderLoad busy = counts.getT1().get(name);
					ProviderStates.State state = this.states.of(name);
					return new ProviderView(name, instance.family(), state.kind().name().toLowerCase(Locale.ROOT),
							state.reason(), state.simulator(), state.models(),
							new Limits(instance.pollInterval().toMillis(), instance.timeout().toMillis()),
							(busy != null) ? busy.inFlight() : 0, (busy != null) ? busy.queued() : 0,
							counts.getT2().getOrDefault(name, 0L));
				}).toList();
				return new ProviderList(this.settings.rateLimitWindow().toMinutes(), views);
			});
	}

	record ProviderList(long rateLimitWindowMinutes, List<ProviderView> data) {
	}

	record ProviderView(String name, String family, String state, String stateReason, boolean simulator,
			List<String> models, Limits limits, long inFlight, long queued, long rateLimitedRecently) {
	}

	record Limits(long pollIntervalMs, long timeoutMs) {
	}

}
