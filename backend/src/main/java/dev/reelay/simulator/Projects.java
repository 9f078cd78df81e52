package dev.reelay.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

/**
 * Maps the {@code OpenAI-Project} header to the project a video belongs to; every list, read, download and delete
 * sees its own project's videos only. The key cannot be the project as upstream: it is new each start and differs
 * between the Reelay instances sharing a database, and each must find the videos the others created.
 */
final class Projects {

	/**
	 * Reelay's own instances send no header. Their project is the one the shared key {@code simulator} selected
	 * before the key became secret, so videos created before an upgrade are still found after it.
	 */
	static final String DEFAULT = "simulator";

	private Projects() {
	}

	/** The stored project: a hash, as the column has always held (it once held hashed keys). */
	static String of(@Nullable String header) {
		String project = (header == null || header.isBlank()) ? DEFAULT : header.strip();
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(project.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

}
