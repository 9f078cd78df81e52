package dev.reelay.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.provider.ProviderPauses;
import dev.reelay.provider.ProviderSettings;

import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code /actuator/health/providers}: one component per configured provider instance. */
@Configuration(proxyBeanMethods = false)
class ProviderHealthConfiguration {

	@Bean
	CompositeReactiveHealthContributor providersHealthContributor(ProviderSettings providers, ModelCatalog catalog,
			ProviderPauses pauses) {
		Map<String, ReactiveHealthContributor> instances = new LinkedHashMap<>();
		providers.instances()
			.forEach((name, settings) -> instances.put(name,
					new ProviderInstanceHealth(name, settings, catalog, pauses)));
		return CompositeReactiveHealthContributor.fromMap(instances);
	}

}
