package dev.reelay.simulator;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Knobs of the simulated provider.
 *
 * @param enabled whether the simulator is served at all; unset (the default), it is in local mode and is not with
 * tenants on (see {@link SimulatorAccess#enabledIn}, which reads it before this record exists)
 * @param generationTime how long a video takes from create to completed
 * @param failureRate fraction of creates whose job ends {@code failed} with {@code internal_error}
 * @param moderationRate fraction of creates whose job ends {@code failed} with {@code moderation_blocked}
 * @param rateLimitRate fraction of create and retrieve requests answered with 429
 * @param serverErrorRate fraction of create and retrieve requests answered with 500 before doing anything
 * @param lostResponseRate fraction of creates that are stored (and billed) but answered with 500, as when a
 * response is lost: the client cannot tell whether its video exists
 * @param latency delay added before every simulator response
 * @param latencySpikeRate fraction of responses held back by an extra {@code latencySpike} after the request was
 * handled, as when a provider is slow to answer
 * @param retryAfter wait advertised on 429 responses
 * @param seed seed for the random source behind the rates; {@code null} for a fresh one each start
 * @param path where the simulated API is served on this process; the built-in provider instance is pointed at it
 */
@ConfigurationProperties(prefix = "reelay.simulator")
record SimulatorSettings(
		@Nullable Boolean enabled,
		@DefaultValue("20s") Duration generationTime,
		@DefaultValue("0") double failureRate,
		@DefaultValue("0") double moderationRate,
		@DefaultValue("0") double rateLimitRate,
		@DefaultValue("0") double serverErrorRate,
		@DefaultValue("0") double lostResponseRate,
		@DefaultValue("0s") Duration latency,
		@DefaultValue("0") double latencySpikeRate,
		@DefaultValue("0s") Duration latencySpike,
		@DefaultValue("1s") Duration retryAfter,
		@Nullable Long seed,
		@DefaultValue(SimulatorSettings.DEFAULT_PATH) String path) {

	static final String DEFAULT_PATH = "/simulator/openai/v1";

	// Gated by the tenant module (API keys) or owned by the actuator: a simulator there would not answer its caller.
	private static final List<String> TAKEN_PATHS = List.of("/api", "/v1", "/actuator");

	SimulatorSettings {
		// Status and progress divide by the generation time.
		if (generationTime.toMillis() < 1) {
			throw new IllegalArgumentException("reelay.simulator.generation-time must be at least 1ms");
		}
		requireRate("failure-rate", failureRate);
		requireRate("moderation-rate", moderationRate);
		requireRate("rate-limit-rate", rateLimitRate);
		requireRate("server-error-rate", serverErrorRate);
		requireRate("lost-response-rate", lostResponseRate);
		requireRate("latency-spike-rate", latencySpikeRate);
		if (latency.isNegative() || retryAfter.isNegative()) {
			throw new IllegalArgumentException("reelay.simulator latency and retry-after must not be negative");
		}
		requirePath(path);
	}

	private static void requirePath(String path) {
		if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
			throw new IllegalArgumentException("reelay.simulator.path must be an absolute path such as "
					+ DEFAULT_PATH + " (letters, digits, '.', '_', '~', '-' between slashes, no trailing slash), was '"
					+ path + "'");
		}
		for (String taken : TAKEN_PATHS) {
			if (path.equals(taken) || path.startsWith(taken + "/")) {
				throw new IllegalArgumentException("reelay.simulator.path must not be under " + taken
						+ ", which Reelay serves itself, was '" + path + "'");
			}
		}
	}

	private static void requireRate(String name, double rate) {
		if (!(rate >= 0.0 && rate <= 1.0)) {
			throw new IllegalArgumentException("reelay.simulator." + name + " must be between 0 and 1, was " + rate);
		}
	}

}
