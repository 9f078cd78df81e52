package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import dev.reelay.provider.WebhookRejectedException;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kie's callback HMAC over {@code taskId.timestamp} (docs/providers/kie-ai.md, "Callback signature"). */
class KieSignaturesTests {

	private final Instant now = Instant.ofEpochSecond(1_800_000_000L);

	private HttpHeaders headers(long timestamp, String signature) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-Webhook-Timestamp", Long.toString(timestamp));
		headers.set("X-Webhook-Signature", signature);
		return headers;
	}

	@Test
	void theSignatureIsBase64HmacOfTaskIdDotTimestamp() {
		byte[] mac = Signatures.hmacSha256("kie-key".getBytes(StandardCharsets.UTF_8),
				"task_1.1800000000".getBytes(StandardCharsets.UTF_8));
		assertThat(KieSignatures.sign("kie-key", "task_1", 1_800_000_000L)).isEqualTo(Base64.getEncoder().encodeToString(mac));
	}

	@Test
	void validForgedStaleAndRotated() {
		long ts = this.now.getEpochSecond();
		assertThatCode(() -> KieSignatures.verify(headers(ts, KieSignatures.sign("kie-key", "task_1", ts)), "task_1",
				List.of("kie-key"), this.now)).doesNotThrowAnyException();
		expect(() -> KieSignatures.verify(headers(ts, KieSignatures.sign("kie-key", "task_2", ts)), "task_1",
				List.of("kie-key"), this.now), WebhookRejectedException.Reason.UNVERIFIED);
		expect(() -> KieSignatures.verify(headers(ts, KieSignatures.sign("guess", "task_1", ts)), "task_1",
				List.of("kie-key"), this.now), WebhookRejectedException.Reason.UNVERIFIED);
		long old = ts - 3600;
		expect(() -> KieSignatures.verify(headers(old, KieSignatures.sign("kie-key", "task_1", old)), "task_1",
				List.of("kie-key"), this.now), WebhookRejectedException.Reason.STALE);
		assertThatCode(() -> KieSignatures.verify(headers(ts, KieSignatures.sign("old-key", "task_1", ts)), "task_1",
				List.of("kie-key", "old-key"), this.now)).doesNotThrowAnyException();
	}

	private static void expect(Runnable check, WebhookRejectedException.Reason reason) {
		assertThatThrownBy(check::run).isInstanceOfSatisfying(WebhookRejectedException.class,
				(rejected) -> assertThat(rejected.reason()).isEqualTo(reason));
	}

}
