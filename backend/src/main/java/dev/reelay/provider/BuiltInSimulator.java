package dev.reelay.provider;

/**
 * The OpenAI Videos stand-in this process may serve itself (module {@code dev.reelay.simulator}), as provider
 * instances see it: an HTTP address and a key, nothing else. Providers reach it only over HTTP, so a build without
 * the simulator module compiles and runs; there no bean of this type exists and the instance is unavailable.
 */
public interface BuiltInSimulator {

	/** What a built-in simulator instance configures as its {@code api-key}; it stands for {@link #key()}. */
	String KEY_PLACEHOLDER = "simulator";

	/** Whether its routes are served here. */
	boolean enabled();

	/** The bearer key it accepts, made at start; for the in-process provider instance only, never logged. */
	String key();

	/**
	 * Its base URL on this process (loopback, {@code reelay.simulator.path}); call it only once the server is up,
	 * the port is not known before.
	 */
	String baseUrl();

}
