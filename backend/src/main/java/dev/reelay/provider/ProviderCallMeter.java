package dev.reelay.provider;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * The port through which a call made to a provider outside a dispatch step (fetching fal's webhook keys) is sent:
 * it takes the instance's poll permit and is timed under {@code reelay.provider.calls}, as the dispatcher's own
 * calls are. The dispatcher implements it, so this module never imports the dispatcher.
 */
public interface ProviderCallMeter {

	/** Sends nothing through any limit and records nothing: for adapters built alone, as in contract tests. */
	ProviderCallMeter UNMETERED = new ProviderCallMeter() {

		@Override
		public <T> Mono<T> call(String instance, String operation, Supplier<Mono<T>> call) {
			return Mono.defer(call);
		}

	};

	/**
	 * Sends {@code call} once the instance's limits allow one more request, timed as {@code operation}; fails with
	 * {@link ProviderException} of kind {@link ProviderException.Kind#RATE_LIMITED} when they do not, without
	 * sending it.
	 */
	<T> Mono<T> call(String instance, String operation, Supplier<Mono<T>> call);

}
