package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import dev.reelay.provider.WebhookRejectedException;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Standard Webhooks exactly as openai-python checks it (docs/providers/openai-videos.md, "Webhook signature"). */
class StandardWebhooksTests {

	static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("a 32 byte secret for the tests!!".getBytes(StandardCharsets.UTF_8));

	static final String OLD_SECRET = "whsec_" + Base64.getEncoder().encodeToString("the secret before the rotation.".getBytes(StandardCharsets.UTF_8));

	static final byte[] BODY = "{\"id\": \"evt_1\", \"object\": \"event\", \"created_at\": 1758941590, \"type\": \"video.completed\", \"data\": {\"id\": \"video_1\"}}"
		.getBytes(StandardCharsets.UTF_8);

	private final Instant now = Instant.ofEpochSecond(1_800_000_000L);

	private HttpHeaders headers(String id, long timestamp, String signature) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("webhook-id", id);
		headers.set("webhook-timestamp", Long.toString(timestamp));
		headers.set("webhook-signature", signature);
		return headers;
	}

	@Test
	void aValidSignatureGivesTheWebhookId() {
		long ts = this.now.getEpochSecond();
		String signature = StandardWebhooks.sign(SECRET, "msg_1", ts, BODY);
		assertThat(StandardWebhooks.verify(headers("msg_1", ts, signature), BODY, List.of(SECRET), this.now))
			.isEqualTo("msg_1");
	}

	@Test
	void theSignatureIsHmacSha256OverIdTimestampAndRawBody() {
		// Computed independently of the production code: base64(HMAC-SHA256(key, "id.ts.body")).
		byte[] key = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
		byte[] expected = Signatures.hmacSha256(key, ("msg_1.1800000000." + new String(BODY, StandardCharsets.UTF_8))
			.getBytes(StandardCharsets.UTF_8));
		assertThat(StandardWebhooks.sign(SECRET, "msg_1", 1_800_000_000L, BODY))
			.isEqualTo("v1," + Base64.getEncoder().encodeToString(expected));
	}

	@Test
	void aForgedOrAlteredRequestIsUnverified() {
		long ts = this.now.getEpochSecond();
		String signature = StandardWebhooks.sign(SECRET, "msg_1", ts, BODY);
		byte[] altered = new String(BODY, StandardCharsets.UTF_8).replace("completed", "failed").getBytes(StandardCharsets.UTF_8);
		expectRejected(headers("msg_1", ts, signature), altered, WebhookRejectedException.Reason.UNVERIFIED);
		expectRejected(headers("msg_2", ts, signature), BODY, WebhookRejectedException.Reason.UNVERIFIED);
		String otherKey = StandardWebhooks.sign("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), "msg_1", ts, BODY);
		expectRejected(headers("msg_1", ts, otherKey), BODY, WebhookRejectedException.Reason.UNVERIFIED);
		expectRejected(headers("msg_1", ts, signature.replace("v1,", "v2,")), BODY, WebhookRejectedException.Reason.UNVERIFIED);
		HttpHeaders missing = headers("msg_1", ts, signature);
		missing.remove("webhook-signature");
		expectRejected(missing, BODY, WebhookRejectedException.Reason.UNVERIFIED);
	}

	@Test
	void aStaleOrFutureTimestampIsRejectedEvenWhenSigned() {
		long old = this.now.getEpochSecond() - 301;
		expectRejected(headers("msg_1", old, StandardWebhooks.sign(SECRET, "msg_1", old, BODY)), BODY,
				WebhookRejectedException.Reason.STALE);
		long future = this.now.getEpochSecond() + 301;
		expectRejected(headers("msg_1", future, StandardWebhooks.sign(SECRET, "msg_1", future, BODY)), BODY,
				WebhookRejectedException.Reason.STALE);
		long edge = this.now.getEpochSecond() - 300;
		assertThat(StandardWebhooks.verify(headers("msg_1", edge, StandardWebhooks.sign(SECRET, "msg_1", edge, BODY)),
				BODY, List.of(SECRET), this.now)).isEqualTo("msg_1");
	}

	@Test
	void duringARotationEitherSideMayHoldTwoSecrets() {
		long ts = this.now.getEpochSecond();
		// The sender signs with both secrets; we know only the new one.
		String both = StandardWebhooks.sign(OLD_SECRET, "msg_1", ts, BODY) + " " + StandardWebhooks.sign(SECRET, "msg_1", ts, BODY);
		assertThat(StandardWebhooks.verify(headers("msg_1", ts, both), BODY, List.of(SECRET), this.now)).isEqualTo("msg_1");
		// The sender still signs with the old secret only; we hold both.
		String oldOnly = StandardWebhooks.sign(OLD_SECRET, "msg_1", ts, BODY);
		assertThat(StandardWebhooks.verify(headers("msg_1", ts, oldOnly), BODY, List.of(SECRET, OLD_SECRET), this.now))
			.isEqualTo("msg_1");
		// Once the old secret is dropped here, its signatures stop working.
		expectRejected(headers("msg_1", ts, oldOnly), BODY, WebhookRejectedException.Reason.UNVERIFIED);
	}

	@Test
	void aSecretWithoutThePrefixIsUsedAsItsBytes() {
		long ts = this.now.getEpochSecond();
		String signature = StandardWebhooks.sign("plain-secret", "msg_1", ts, BODY);
		assertThat(StandardWebhooks.verify(headers("msg_1", ts, signature), BODY, List.of("plain-secret"), this.now))
			.isEqualTo("msg_1");
	}

	private void expectRejected(HttpHeaders headers, byte[] body, WebhookRejectedException.Reason reason) {
		assertThatThrownBy(() -> StandardWebhooks.verify(headers, body, List.of(SECRET), this.now))
			.isInstanceOfSatisfying(WebhookRejectedException.class, (rejected) -> assertThat(rejected.reason()).isEqualTo(reason));
	}

}
