package dev.reelay.callback;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook HTTP client against a real receiver on loopback. With the guard on, no request reaches it, whether
 * the URL names the address, an IPv4-mapped form of it or a name that resolves to it; with private addresses
 * allowed (local use), redirects are still not followed, big answers are cut and silent receivers time out.
 */
class GuardedClientTests {

	private static final List<String> SECRETS = List.of(WebhookSigner.newSecret());

	private static final byte[] BODY = "{\"type\":\"job.queued\"}".getBytes(StandardCharsets.UTF_8);

	private final Receiver receiver = new Receiver();

	@AfterEach
	void close() {
		this.receiver.close();
	}

	private static WebhookClient client(boolean allowPrivate) {
		CallbackSettings settings = TargetGuardTests.settings(true, allowPrivate);
		return new WebhookClient(WebClient.builder(), settings, new TargetGuard(settings));
	}

	@Test
	void theGuardRefusesLoopbackAddressesWrittenAnyWayAndNamesThatResolveToThem() {
		WebhookClient guarded = client(false);
		int port = this.receiver.port();
		for (String url : List.of("http://127.0.0.1:" + port + "/hook", "http://[::ffff:127.0.0.1]:" + port + "/hook",
				"http://localhost:" + port + "/hook")) {
			StepVerifier.create(guarded.send(URI.create(url), "msg_1", BODY, SECRETS))
				.assertNext((attempt) -> {
					assertThat(attempt.statusCode()).as(url).isNull();
					assertThat(attempt.error()).as(url).startsWith("refused: ").contains("loopback");
				})
				.verifyComplete();
		}
		assertThat(this.receiver.at("/hook")).isEmpty();
	}

	/** The delivery log is the tenant's to read: it says what kind of address was refused, never which address. */
	@Test
	void aRefusalDoesNotSayWhatTheNameResolvedTo() {
		StepVerifier.create(client(false).send(URI.create("http://localhost:" + this.receiver.port() + "/hook"), "msg_6",
				BODY, SECRETS))
			.assertNext((attempt) -> assertThat(attempt.error()).startsWith("refused: localhost ")
				.contains("loopback")
				.doesNotContain("127.0.0.1")
				.doesNotContain("::1")
				.doesNotContain("0:0:0:0:0:0:0:1"))
			.verifyComplete();
		assertThat(this.receiver.at("/hook")).isEmpty();
	}

	@Test
	void withPrivateAddressesAllowedTheSameRequestArrivesSigned() {
		StepVerifier.create(client(true).send(URI.create(this.receiver.url("/hook")), "msg_2", BODY, SECRETS))
			.assertNext((attempt) -> {
				assertThat(attempt.statusCode()).isEqualTo(200);
				assertThat(attempt.responseExcerpt()).isEqualTo("ok");
			})
			.verifyComplete();
		Receiver.Received got = this.receiver.at("/hook").get(0);
		assertThat(got.header("webhook-id")).isEqualTo("msg_2");
		assertThat(PublicScheme.verifies(SECRETS.get(0), got)).isTrue();
		assertThat(PublicScheme.verifies(WebhookSigner.newSecret(), got)).isFalse();
	}

	@Test
	void redirectsAreNotFollowed() {
		this.receiver.script("/moved", (got, response) -> Receiver.redirect(response, this.receiver.url("/elsewhere")));
		StepVerifier.create(client(true).send(URI.create(this.receiver.url("/moved")), "msg_3", BODY, SECRETS))
			.assertNext((attempt) -> assertThat(attempt.statusCode()).isEqualTo(302))
			.verifyComplete();
		assertThat(this.receiver.at("/moved")).hasSize(1);
		assertThat(this.receiver.at("/elsewhere")).isEmpty();
	}

	@Test
	void hugeAnswersAreCutAtTheExcerptSize() {
		this.receiver.script("/huge", (got, response) -> Receiver.huge(response, 64));
		StepVerifier.create(client(true).send(URI.create(this.receiver.url("/huge")), "msg_4", BODY, SECRETS))
			.assertNext((attempt) -> {
				assertThat(attempt.statusCode()).isEqualTo(200);
				assertThat(attempt.responseExcerpt()).hasSize(1024).matches("x+");
			})
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aReceiverThatNeverAnswersTimesOut() {
		this.receiver.script("/silent", (got, response) -> Receiver.stall(response));
		StepVerifier.create(client(true).send(URI.create(this.receiver.url("/silent")), "msg_5", BODY, SECRETS))
			.assertNext((attempt) -> {
				assertThat(attempt.statusCode()).isNull();
				assertThat(attempt.error()).startsWith("no answer within");
				assertThat(attempt.durationMs()).isBetween(900L, 3000L);
			})
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

}
