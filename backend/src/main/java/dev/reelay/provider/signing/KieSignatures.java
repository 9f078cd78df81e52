package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * Kie's callback HMAC: base64(HMAC-SHA256(webhookHmacKey, taskId + "." + timestamp)). It covers only the task id
 * and the time, never the body, which is why a verified callback is still only a reason to re-fetch.
 */
public final class KieSignatures {

	private KieSignatures() {
	}

	public static void verify(HttpHeaders headers, String taskId, List<String> keys, Instant now) {
		String timestamp = headers.getFirst("X-Webhook-Timestamp");
		String signature = headers.getFirst("X-Webhook-Signature");
		if (signature == null || signature.isBlank()) {
			throw Signatures.unverified("X-Webhook-Signature is missing");
		}
		Signatures.requireFresh(timestamp, now);
		for (String key : keys) {
			if (Signatures.same(sign(key, taskId, Long.parseLong(timestamp.trim())), signature.trim())) {
				return;
			}
		}
		throw Signatures.unverified("the signature does not match a configured key");
	}

	public static String sign(String key, String taskId, long timestamp) {
		byte[] mac = Signatures.hmacSha256(key.getBytes(StandardCharsets.UTF_8),
				(taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8));
		return Base64.getEncoder().encodeToString(mac);
	}

}
