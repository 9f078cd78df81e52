package dev.reelay.dispatch;

import java.time.Clock;
import java.util.function.Supplier;

import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Provider calls made outside a dispatch step (a webhook verifier fetching keys), held to the same rules as the
 * steps' own: each takes a permit of the instance's poll budget ({@link ProviderGate#takePollPermits}) and is timed
 * under {@code reelay.provider.calls}. A call the budget has no room for is not sent.
 */
@Component
class GatedProviderCalls implements ProviderCallMeter {

	private final ProviderGate gate;

	private final DispatchSettings settings;

	private final MeterRegistry meters;

	private final Clock clock;

	GatedProviderCalls(ProviderGate gate, DispatchSettings settings, MeterRegistry meters, DispatchClock clock) {
		this.gate = gate;
		this.settings = settings;
		this.meters = meters;
		this.clock = clock.clock();
	}

	@Override
	public <T> Mono<T> call(String instance, String operation, Supplier<Mono<T>> call) {
		return Mono.defer(() -> this.gate.takePollPermits(instance, this.settings.limitsFor(instance), 1,
				this.clock.instant()))
			.flatMap((granted) -> granted ? timed(instance, operation, call)
					: Mono.error(new ProviderException(ProviderException.Kind.RATE_LIMITED, "rate_limited",
							"the poll budget of " + instance + " is spent for now", 0, null, null, null)));
	}

	private <T> Mono<T> timed(String instance, String operation, Supplier<Mono<T>> call) {
		return Mono.defer(() -> {
			Timer.Sample sample = Timer.start(this.meters);
			return call.get()
				.doOnSuccess((result) -> sample.stop(MeteredProvider.timer(this.meters, instance, operation, "success")))
				.doOnError((error) -> sample.stop(MeteredProvider.timer(this.meters, instance, operation,
						(error instanceof ProviderException failed) ? ErrorClass.of(failed).tag()
								: ErrorClass.OTHER.tag())));
		});
	}

}
