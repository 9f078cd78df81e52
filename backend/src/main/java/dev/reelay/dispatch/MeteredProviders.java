package dev.reelay.dispatch;

import java.time.Clock;

import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.VideoProvider;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The provider instances as steps call them: every call timed and tallied for the job, and every call beyond the
 * one its claim counted taking a poll permit of its own.
 */
@Component
class MeteredProviders {

	private final ProviderRegistry providers;

	private final MeterRegistry meters;

	private final ProviderGate gate;

	private final DispatchSettings settings;

	private final Clock clock;

	MeteredProviders(ProviderRegistry providers, MeterRegistry meters, ProviderGate gate, DispatchSettings settings,
			DispatchClock clock) {
		this.providers = providers;
		this.meters = meters;
		this.gate = gate;
		this.settings = settings;
		this.clock = clock.clock();
	}

	VideoProvider get(String instance) {
		return new MeteredProvider(this.providers.get(instance), instance, this.meters, (count) -> this.gate
			.takePollPermits(instance, this.settings.limitsFor(instance), count, this.clock.instant()));
	}

}
