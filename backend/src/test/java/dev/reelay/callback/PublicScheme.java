package dev.reelay.callback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check, written from the Standard Webhooks specification alone (not from Reelay's signing code):
 * the signed content is {@code webhook-id + "." + webhook-timestamp + "." + body}; the key is the base64 part of
 * {@code whsec_...}; the header lists space-separated {@code v1,<base64 HMAC-SHA256>}; any match verifies; the
 * timestamp must be within the tolerance (5 minutes) of now.
 */
final class PublicScheme {

	private static final Duration TOLERANCE = Duration.ofMinutes(5);

	private PublicScheme() {
	}

	static boolean verifies(String secret, Receiver.Received message) {
		String id = message.header("webhook-id");
		String timestamp = message.header("webhook-timestamp");
		String signatures = message.header("webhook-signature");
		if (id == null || timestamp == null || signatures == null) {
			return false;
		}
		Instant sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
		if (Duration.between(sent, Instant.now()).abs().compareTo(TOLERANCE) > 0) {
			return false;
		}
		try {
			Mac hmac = Mac.getInstance("HmacSHA256");
			hmac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.split("_", 2)[1]), "HmacSHA256"));
			byte[] content = (id + "." + timestamp + "." + message.text()).getBytes(StandardCharsets.UTF_8);
			byte[] expected = hmac.doFinal(content);
			for (String signature : signatures.split(" ")) {
				String[] parts = signature.split(",", 2);
				if (parts.length == 2 && parts[0].equals("v1")
						&& MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
					return true;
				}
			}
			return false;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
