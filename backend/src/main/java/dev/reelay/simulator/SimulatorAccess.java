package dev.reelay.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Whether this Reelay serves its simulator, and the key that opens it. The key is made at start from
 * {@link SecureRandom}, never logged and never configured: only the provider instance inside this process (the
 * {@code openai-videos} instance with a blank base URL) is handed it, so nobody else can call the simulator even
 * where its port is reachable. Exists whether or not the simulator runs, so that instance can tell it is off.
 */
@Component
public final class SimulatorAccess {

	/** What a built-in simulator instance configures as its {@code api-key}; it stands for {@link #key()}. */
	public static final String KEY_PLACEHOLDER = "simulator";

	private static final int KEY_BYTES = 32;

	private final boolean enabled;

	private final String key;

	@Autowired
	public SimulatorAccess(Environment environment) {
		this(enabledIn(environment), newKey());
	}

	SimulatorAccess(boolean enabled, String key) {
		this.enabled = enabled;
		this.key = key;
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

	/** Whether the simulator's routes are served here. */
	public boolean enabled() {
		return this.enabled;
	}

	/** The bearer key the simulator accepts; for the in-process provider instance only. */
	public String key() {
		return this.key;
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
