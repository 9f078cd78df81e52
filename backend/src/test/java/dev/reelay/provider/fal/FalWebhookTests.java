package dev.reelay.provider.fal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** fal's Ed25519 webhook signatures, checked against a key set served by a stand-in of fal's JWKS endpoint. */
class FalWebhookTests {

	private static final byte[] BODY = "{\"request_id\": \"req-1\", \"gateway_request_id\": \"req-1\", \"status\": \"OK\", \"payload\": {}}"
		.getBytes(StandardCharsets.UTF_8);

	private final StandIn jwks = new StandIn();

	private final KeyPair fal = keyPair();

	private final KeyPair forger = keyPair();

	private final WebhookVerifier provider = new ProviderFamilies().falFamily(StandIn.webClients()).webhooks("fal",
			StandIn.settings("fal", "http://127.0.0.1:9", List.of(), Map.of("jwks-url",
					this.jwks.url("/.well-known/jwks.json"))), ProviderCallMeter.UNMETERED);

	@AfterEach
	void stop() {
		this.jwks.close();
	}

	@Test
	void validForgedAlteredAndStale() {
		// fal publishes two keys (a rotation); the one that signed is the second.
		this.jwks.json(200, "{\"keys\": [" + jwk(keyPair()) + ", " + jwk(this.fal) + "]}");
		long now = Instant.now().getEpochSecond();

		StepVerifier.create(this.provider.verify(delivery(this.fal.getPrivate(), now, BODY)))
			.assertNext((notice) -> {
				assertThat(notice.remoteId()).isEqualTo("req-1");
				assertThat(notice.deliveryId()).isEqualTo("req-1." + now);
			})
			.verifyComplete();
		expect(delivery(this.forger.getPrivate(), now, BODY), WebhookRejectedException.Reason.UNVERIFIED);
		WebhookDelivery signed = delivery(this.fal.getPrivate(), now, BODY);
		expect(new WebhookDelivery(signed.headers(), "{\"status\": \"ERROR\"}".getBytes(StandardCharsets.UTF_8)),
				WebhookRejectedException.Reason.UNVERIFIED);
		expect(delivery(this.fal.getPrivate(), now - 600, BODY), WebhookRejectedException.Reason.STALE);
		// The key set was fetched once and kept.
		assertThat(this.jwks.requestCount()).isEqualTo(1);
	}

	@Test
	void keysThatCannotBeFetchedLeaveTheWebhookUncheckedForNowAndAreFetchedAgain() {
		this.jwks.json(500, "{\"error\": \"internal\"}");
		this.jwks.json(200, "{\"keys\": [" + jwk(this.fal) + "]}");
		long now = Instant.now().getEpochSecond();
		expect(delivery(this.fal.getPrivate(), now, BODY), WebhookRejectedException.Reason.UNAVAILABLE);
		// The failure is not kept: the next webhook fetches the keys again and verifies.
		StepVerifier.create(this.provider.verify(delivery(this.fal.getPrivate(), now, BODY)))
			.assertNext((notice) -> assertThat(notice.remoteId()).isEqualTo("req-1"))
			.verifyComplete();
		assertThat(this.jwks.requestCount()).isEqualTo(2);
	}

	private void expect(WebhookDelivery delivery, WebhookRejectedException.Reason reason) {
		StepVerifier.create(this.provider.verify(delivery))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOfSatisfying(WebhookRejectedException.class,
					(rejected) -> assertThat(rejected.reason()).isEqualTo(reason)))
			.verify();
	}

	private static WebhookDelivery delivery(PrivateKey key, long timestamp, byte[] body) {
		String message = "req-1\nuser-9\n" + timestamp + "\n" + FalWebhooks.sha256Hex(body);
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-Fal-Webhook-Request-Id", "req-1");
		headers.set("X-Fal-Webhook-User-Id", "user-9");
		headers.set("X-Fal-Webhook-Timestamp", Long.toString(timestamp));
		headers.set("X-Fal-Webhook-Signature", HexFormat.of().formatHex(sign(key, message.getBytes(StandardCharsets.UTF_8))));
		return new WebhookDelivery(headers, body);
	}

	private static String jwk(KeyPair pair) {
		byte[] encoded = pair.getPublic().getEncoded();
		byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
		return "{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": \"" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw)
				+ "\", \"kid\": \"k\"}";
	}

	private static KeyPair keyPair() {
		try {
			return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] sign(PrivateKey key, byte[] message) {
		try {
			Signature signer = Signature.getInstance("Ed25519");
			signer.initSign(key);
			signer.update(message);
			return signer.sign();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
