package dev.reelay.dashboard;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.JobStatistics;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.tenant.CallerTenant;
import org.jspecify.annotations.Nullable;
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

	private final ProviderRegistry registry;

	private final ModelCatalog catalog;

	private final JobStatistics statistics;

	private final DashboardSettings settings;

	ProviderController(ProviderSettings providers, ProviderRegistry registry, ModelCatalog catalog,
			JobStatistics statistics, DashboardSettings settings) {
		this.providers = providers;
		this.registry = registry;
		this.catalog = catalog;
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
			LocalDate today = LocalDate.now(ZoneOffset.UTC);
			List<ProviderView> views = this.providers.instances().entrySet().stream().map((entry) -> {
				String name = entry.getKey();
				ProviderSettings.Instance instance = entry.getValue();
				List<ModelSpec> models = this.catalog.all().stream().filter((m) -> m.provider().equals(name)).toList();
				JobStatistics.ProviderLoad busy = counts.getT1().get(name);
				State state = state(name, instance, models, today);
				return new ProviderView(name, instance.family(), state.name(), state.reason(), isSimulator(instance),
						models.stream().map(ModelSpec::id).toList(),
						new Limits(instance.pollInterval().toMillis(), instance.timeout().toMillis()),
						(busy != null) ? busy.inFlight() : 0, (busy != null) ? busy.queued() : 0,
						counts.getT2().getOrDefault(name, 0L));
			}).toList();
			return new ProviderList(this.settings.rateLimitWindow().toMinutes(), views);
		});
	}

	private State state(String name, ProviderSettings.Instance instance, List<ModelSpec> models, LocalDate today) {
		if (!this.registry.isAvailable(name)) {
			return new State("disabled", isBlank(instance.apiKey()) ? "no API key" : "turned off in configuration");
		}
		if (!isSimulator(instance) && isBlank(instance.apiKey())) {
			return new State("disabled", "no API key");
		}
		if (!models.isEmpty() && models.stream().allMatch((model) -> model.isRetired(today))) {
			return new State("retired", "every model it serves is retired");
		}
		return new State("enabled", isSimulator(instance) ? "built-in simulator, no key needed" : "taking jobs");
	}

	// A blank base URL on openai-videos is this Reelay's own simulator (see ProviderSettings).
	private static boolean isSimulator(ProviderSettings.Instance instance) {
		return "openai-videos".equals(instance.family()) && isBlank(instance.baseUrl());
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	private record State(String name, String reason) {
	}

	record ProviderList(long rateLimitWindowMinutes, List<ProviderView> data) {
	}

	record ProviderView(String name, String family, String state, String stateReason, boolean simulator,
			List<String> models, Limits limits, long inFlight, long queued, long rateLimitedRecently) {
	}

	record Limits(long pollIntervalMs, long timeoutMs) {
	}

}
