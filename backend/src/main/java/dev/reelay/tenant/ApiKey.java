package dev.reelay.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * The form of an API key: {@code rly_} and 32 random bytes in base64url (47 characters), so a log or repository scan
 * can recognise one. Only its SHA-256 is stored: the key carries 256 bits of entropy, so the hash can be neither
 * reversed nor guessed, and a deliberately slow hash (bcrypt, Argon2), which protects low-entropy passwords, would
 * only slow down every request. A plain hash also lets the key be found by an index lookup.
 */
final class ApiKey {

	static final String PREFIX = "rly_";

	/** {@code rly_} and the first 8 characters of the random part: enough to tell keys apart, useless to guess. */
	static final int SHOWN = PREFIX.length() + 8;

	private static final int LENGTH = PREFIX.length() + 43;

	private static final SecureRandom RANDOM = new SecureRandom();

	private ApiKey() {
	}

	static String generate() {
		byte[] random = new byte[32];
		RANDOM.nextBytes(random);
		return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

	/** True if {@code presented} has the form of a key, so a lookup can be skipped for anything else. */
	static boolean looksLikeKey(@Nullable String presented) {
		return presented != null && presented.length() == LENGTH && presented.startsWith(PREFIX);
	}

	static String shownPrefix(String key) {
		return key.substring(0, SHOWN);
	}

	static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java runtime has SHA-256", ex);
		}
	}

	/**
	 * Compares in time independent of where the two differ: both are hashed first, so even their lengths do not
	 * show.
	 */
	static boolean sameSecret(@Nullable String presented, String expected) {
		return presented != null && MessageDigest.isEqual(sha256(presented), sha256(expected));
	}

}
