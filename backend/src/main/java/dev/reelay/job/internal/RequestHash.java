package dev.reelay.job.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.reelay.job.NewJob;
import tools.jackson.databind.json.JsonMapper;

/** A fingerprint of a validated request, so a replayed Idempotency-Key can be told from a reused one. */
public final class RequestHash {

	private RequestHash() {
	}

	public static String of(JsonMapper json, List<NewJob> requests, boolean batch) {
		// Hash the normalized request, not the raw body: defaults filled in and fields in a fixed order.
		byte[] canonical = json.writeValueAsBytes(Map.of("batch", batch, "jobs", requests));
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
