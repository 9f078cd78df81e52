package dev.reelay.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;

import dev.reelay.provider.BuiltInSimulator;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Whether this Reelay serves its simulator, where, and the key that opens it. The key is made at start from
 * {@link SecureRandom}, never logged and never configured: only the provider instance inside this process (the
 * {@code openai-videos} instance with a blank base URL) is handed it, so nobody else can call the simulator even
 * where its port is reachable. Exists whether or not the simulator runs, so that instance can tell it is off.
 */
@Component
public final class SimulatorAccess implements BuiltInSimulator {

	private static final int KEY_BYTES = 32;

	private final boolean enabled;

	private final String key;

	private final Supplier<String> baseUrl;

	@Autowired
	SimulatorAccess(Environment environment, SimulatorSettings settings) {
		// Loopback: the simulator answers nothing else. The port is known only once the server is up.
		this(enabledIn(environment), newKey(),
				() -> "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port") + settings.path());
	}

	SimulatorAccess(boolean enabled, String key) {
		this(enabled, key, () -> {
			throw new IllegalStateException("no server here");
		});
	}

	private SimulatorAccess(boolean enabled, String key, Supplier<String> baseUrl) {
		this.enabled = enabled;
		this.key = key;
		this.baseUrl = baseUrl;
	}

	/**
	 * {@code reelay.simulator.enabled} when set; unset, the simulator runs in local mode only. With tenants on
	 * (an admin key set, the same test as the tenant module's) its videos would be shared by every tenant's jobs on
	 * a server others can reach, so there it runs only when asked for.
	 */
	static boolean enabledIn(Environment environment) {
		Binder binder = Binder.get(environment);
		return binder.bind("reelay.simulator.enabled", Boolean.class)
			.orElseGet(() -> !StringUtils.hasText(binder.bind("reelay.security.admin-key", String.class).orElse(null)));
	}

	private static String newKey() {
		byte[] bytes = new byte[KEY_BYTES];
		new SecureRandom().nextBytes(bytes);
		// The sk- shape is what the log scan (SecretsInLogsTests) looks for.
		return "sk-reelay-simulator-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	@Override
	public boolean enabled() {
		return this.enabled;
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public String baseUrl() {
		return this.baseUrl.get();
	}

	/** Compares in constant time, so the answer's timing says nothing about how much of a guess was right. */
	boolean accepts(String bearer) {
		return MessageDigest.isEqual(this.key.getBytes(StandardCharsets.UTF_8), bearer.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public String toString() {
		return "SimulatorAccess[enabled=" + this.enabled + "]";
	}

}
