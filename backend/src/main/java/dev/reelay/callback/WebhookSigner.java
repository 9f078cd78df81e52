package dev.reelay.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,} and the base64 HMAC-SHA256 of {@code id.timestamp.body}, keyed by
 * the base64-decoded part of a {@code whsec_} secret. Several secrets (during a rotation) give several signatures,
 * separated by spaces; a receiver accepts the message if any matches.
 */
final class WebhookSigner {

	static final String PREFIX = "whsec_";

	private static final SecureRandom RANDOM = new SecureRandom();

	private WebhookSigner() {
	}

	/** A new secret: 32 random bytes (the spec asks for 24 to 64). */
	static String newSecret() {
		byte[] key = new byte[32];
		RANDOM.nextBytes(key);
		return PREFIX + Base64.getEncoder().encodeToString(key);
	}

	static String signature(List<String> secrets, String webhookId, long timestamp, byte[] body) {
		return secrets.stream().map((secret) -> "v1," + sign(secret, webhookId, timestamp, body))
			.collect(Collectors.joining(" "));
	}

	private static String sign(String secret, String webhookId, long timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(PREFIX.length())), "HmacSHA256"));
			mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
			return Base64.getEncoder().encodeToString(mac.doFinal(body));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is unavailable", ex);
		}
	}

}
