package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * Standard Webhooks, as openai-python checks it: HMAC-SHA256 over {@code id.timestamp.body} with the bytes after
 * {@code whsec_} (base64) as key; the header may carry several {@code v1,<base64>} signatures during a rotation,
 * and we may hold several secrets during ours. Any match passes.
 */
public final class StandardWebhooks {

	private StandardWebhooks() {
	}

	/** Returns the verified {@code webhook-id}. */
	public static String verify(HttpHeaders headers, byte[] body, List<String> secrets, Instant now) {
		String id = headers.getFirst("webhook-id");
		String timestamp = headers.getFirst("webhook-timestamp");
		String signatures = headers.getFirst("webhook-signature");
		if (id == null || id.isBlank() || signatures == null || signatures.isBlank()) {
			throw Signatures.unverified("webhook-id or webhook-signature is missing");
		}
		Signatures.requireFresh(timestamp, now);
		byte[] signed = concat((id + "." + timestamp.trim() + ".").getBytes(StandardCharsets.UTF_8), body);
		for (String secret : secrets) {
			String expected = Base64.getEncoder().encodeToString(Signatures.hmacSha256(key(secret), signed));
			for (String entry : signatures.trim().split(" +")) {
				int comma = entry.indexOf(',');
				if (comma > 0 && entry.substring(0, comma).equals("v1")
						&& Signatures.same(expected, entry.substring(comma + 1))) {
					return id;
				}
			}
		}
		throw Signatures.unverified("no signature matches a configured secret");
	}

	/** The signature header value a sender would put for one secret; for stand-ins and tests. */
	public static String sign(String secret, String id, long timestamp, byte[] body) {
		byte[] signed = concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
		return "v1," + Base64.getEncoder().encodeToString(Signatures.hmacSha256(key(secret), signed));
	}

	private static byte[] key(String secret) {
		return secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
				: secret.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] concat(byte[] head, byte[] body) {
		byte[] all = new byte[head.length + body.length];
		System.arraycopy(head, 0, all, 0, head.length);
		System.arraycopy(body, 0, all, head.length, body.length);
		return all;
	}

}
