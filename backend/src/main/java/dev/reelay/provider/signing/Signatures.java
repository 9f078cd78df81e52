package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.reelay.provider.WebhookRejectedException;
import org.jspecify.annotations.Nullable;

/** The primitives every scheme shares: HMAC-SHA256, constant-time comparison, and the timestamp window. */
public final class Signatures {

	/** Standard Webhooks' default, and what we apply where a provider documents none. */
	public static final Duration TOLERANCE = Duration.ofSeconds(300);

	private Signatures() {
	}

	public static byte[] hmacSha256(byte[] key, byte[] message) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(message);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every JVM", ex);
		}
	}

	/** Compares in time independent of where the inputs differ, so a forger learns nothing from timing. */
	public static boolean same(String expected, String actual) {
		return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
	}

	/** Accepts a unix-seconds timestamp within the tolerance either way (too old is a replay, too new a forgery). */
	public static void requireFresh(@Nullable String timestamp, Instant now) {
		if (timestamp == null || timestamp.isBlank()) {
			throw unverified("the timestamp header is missing");
		}
		long seconds;
		try {
			seconds = Long.parseLong(timestamp.trim());
		}
		catch (NumberFormatException ex) {
			throw unverified("the timestamp is not a number of seconds");
		}
		long skew = now.getEpochSecond() - seconds;
		if (Math.abs(skew) > TOLERANCE.toSeconds()) {
			throw new WebhookRejectedException(WebhookRejectedException.Reason.STALE, "the webhook is "
					+ Math.abs(skew) + " s " + ((skew > 0) ? "old" : "in the future") + "; at most "
					+ TOLERANCE.toSeconds() + " s is accepted");
		}
	}

	static WebhookRejectedException unverified(String why) {
		return new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED, why);
	}

	public static WebhookRejectedException notConfigured(String instance) {
		return new WebhookRejectedException(WebhookRejectedException.Reason.NOT_ACCEPTED,
				"no webhook secret is configured for provider instance '" + instance + "'");
	}

}
