package dev.reelay.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.provider.StandIn;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook verifier's key fetch is a provider call like any other: fal's key endpoint is asked within the
 * instance's poll budget (what is left of it is taken, as by the dispatcher), and each fetch is timed under
 * {@code reelay.provider.calls}. Forged webhooks in a flood cannot make Reelay call fal past its limits.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebhookKeyFetchLimitsTests {

	/** Its own instance name, so no other class's calls (nor a rerun's) count against this budget. */
	static final String INSTANCE = "falkeys" + UUID.randomUUID().toString().substring(0, 8);

	/** Polls this instance may make per hour: the first two key fetches fit, a third does not. */
	static final int POLLS = 2;

	/** fal's key endpoint, down: every fetch fails, so none is cached and each webhook would fetch again. */
	static final MockWebServer KEYS = StandIn
		.serving((request) -> new MockResponse.Builder().code(503).body("{\"detail\": \"down\"}").build());

	@DynamicPropertySource
	static void falInstance(DynamicPropertyRegistry properties) {
		String instance = "reelay.providers.instances." + INSTANCE;
		properties.add(instance + ".family", () -> "fal");
		properties.add(instance + ".base-url", () -> "http://127.0.0.1:9");
		properties.add(instance + ".api-key", () -> "test");
		properties.add(instance + ".timeout", () -> "5s");
		properties.add(instance + ".options.jwks-url", () -> StandIn.url(KEYS, "/.well-known/jwks.json"));
		properties.add("reelay.dispatch.limits." + INSTANCE + ".polls.count", () -> POLLS);
		properties.add("reelay.dispatch.limits." + INSTANCE + ".polls.per", () -> "1h");
	}

	@AfterAll
	static void closeKeys() {
		KEYS.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Test
	void keyFetchesTakePollPermitsAndAreTimedAsProviderCalls() {
		for (int webhook = 1; webhook <= POLLS; webhook++) {
			post().expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "30");
			assertThat(KEYS.getRequestCount()).as("key fetches sent after webhook %d", webhook).isEqualTo(webhook);
		}
		assertThat(keyFetches()).as("key fetches timed under reelay.provider.calls").isEqualTo(POLLS);

		// The budget is spent: the webhook is still answered (try again later), but fal is not asked.
		post().expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "30");
		assertThat(KEYS.getRequestCount()).as("key fetches sent once the poll budget is spent").isEqualTo(POLLS);
		assertThat(keyFetches()).isEqualTo(POLLS);
	}

	private WebTestClient.ResponseSpec post() {
		String requestId = "req-" + UUID.randomUUID();
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build()
			.post()
			.uri("/webhooks/{instance}", INSTANCE)
			.contentType(MediaType.APPLICATION_JSON)
			.header("X-Fal-Webhook-Request-Id", requestId)
			.header("X-Fal-Webhook-User-Id", "user-9")
			.header("X-Fal-Webhook-Timestamp", Long.toString(Instant.now().getEpochSecond()))
			.header("X-Fal-Webhook-Signature", "00".repeat(64))
			.bodyValue("{\"request_id\": \"" + requestId + "\", \"status\": \"OK\"}")
			.exchange();
	}

	private long keyFetches() {
		return this.meters.find("reelay.provider.calls")
			.tag("provider", INSTANCE)
			.tag("operation", "webhook_keys")
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

}
