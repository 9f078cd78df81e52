package dev.reelay.simulator;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@TestPropertySource(properties = { "reelay.simulator.rate-limit-rate=1", "reelay.simulator.retry-after=1500ms",
		"reelay.simulator.latency=200ms" })
class SimulatorRateLimitTests extends SimulatorTestSupport {

	@Autowired
	SimulatorLedger ledger;

	@Test
	void createsAndRetrievesAre429WithRetryHintsAndBillNothing() {
		JsonNode error = this.client.post()
			.uri("/videos")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"prompt\": \"Too fast\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "2")
			.expectHeader()
			.valueEquals("retry-after-ms", "1500")
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertError(error, "requests", null, "rate_limit_exceeded");

		this.client.get()
			.uri("/videos/video_0000")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER);

		StepVerifier.create(this.ledger.createsIn(this.project)).expectNext(0L).verifyComplete();
	}

	@Test
	void latencyDelaysResponsesThatAreNotRateLimited() {
		long started = System.nanoTime();

		this.client.get().uri("/videos").exchange().expectStatus().isOk();

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
	}

}
