package dev.reelay.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.reelay.catalog.ProviderStates;
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
	CompositeReactiveHealthContributor providersHealthContributor(ProviderSettings providers, ProviderStates states,
			ProviderPauses pauses) {
		Map<String, ReactiveHealthContributor> instances = new LinkedHashMap<>();
		providers.instances()
			.forEach((name, settings) -> instances.put(name,
					new ProviderInstanceHealth(name, settings, states, pauses)));
		return CompositeReactiveHealthContributor.fromMap(instances);
	}

}
