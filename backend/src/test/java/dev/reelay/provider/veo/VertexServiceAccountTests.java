package dev.reelay.provider.veo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vertex AI authentication from a service-account key, against a stand-in of Google's token endpoint that checks
 * the signed assertion (see {@link TokenStandIn}).
 */
class VertexServiceAccountTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TokenStandIn google = new TokenStandIn();

	private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

	@AfterEach
	void stop() {
		this.google.close();
	}

	private ProviderSettings.Instance vertex(String credential, Map<String, String> options) {
		return new ProviderSettings.Instance("google-veo",
				this.google.url("/v1/projects/project-1/locations/us-central1/publishers/google"), credential, true,
				Duration.ofSeconds(30), Duration.ofSeconds(1), List.of(), options);
	}

	private AccessTokens tokens(Map<String, String> options) {
		ProviderSettings.Instance settings = vertex(TokenStandIn.keyJson(this.google.url("/token")), options);
		return GoogleVeoProvider.tokens("vertex", settings, new ProviderHttp("vertex", StandIn.webClients(),
				settings.timeout()), this.clock);
	}

	@Test
	void aTokenIsMintedFromASignedAssertionAndReused() {
		AccessTokens tokens = tokens(Map.of());
		StepVerifier.create(tokens.token()).expectNext("ya29.token-1").expectComplete().verify(WAIT);
		StepVerifier.create(tokens.token()).expectNext("ya29.token-1").expectComplete().verify(WAIT);
		assertThat(this.google.issued).hasSize(1);
		assertThat(this.google.assertions.get(0).getIssueTime().toInstant()).isEqualTo(this.clock.instant());
	}

	@Test
	void callersWhoNeedATokenAtOnceShareOneExchange() {
		this.google.delayMillis = 500;
		AccessTokens tokens = tokens(Map.of());
		StepVerifier.create(Flux.range(0, 8).flatMap((caller) -> tokens.token(), 8).collectList())
			.assertNext((all) -> assertThat(all).hasSize(8).containsOnly("ya29.token-1"))
			.expectComplete()
			.verify(WAIT);
		assertThat(this.google.issued).hasSize(1);
	}

	@Test
	void theTokenIsRefreshedShortlyBeforeItExpires() {
		AccessTokens tokens = tokens(Map.of("token-refresh-before", "5m"));
		assertThat(tokens.token().block(WAIT)).isEqualTo("ya29.token-1");
		this.clock.advance(Duration.ofMinutes(54));
		assertThat(tokens.token().block(WAIT)).as("still an hour's token, 6 min left").isEqualTo("ya29.token-1");
		this.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
		assertThat(tokens.token().block(WAIT)).as("within 5 min of expiry").isEqualTo("ya29.token-2");
		assertThat(tokens.token().block(WAIT)).isEqualTo("ya29.token-2");
		assertThat(this.google.issued).hasSize(2);
		assertThat(this.google.assertions.get(1).getIssueTime().toInstant()).isEqualTo(this.clock.instant());
	}

	@Test
	void aShortLivedTokenIsRefreshedHalfwayRatherThanOnEveryCall() {
		this.google.expiresIn = 120;
		AccessTokens tokens = tokens(Map.of("token-refresh-before", "5m"));
		assertThat(tokens.token().block(WAIT)).isEqualTo("ya29.token-1");
		assertThat(tokens.token().block(WAIT)).isEqualTo("ya29.token-1");
		this.clock.advance(Duration.ofSeconds(61));
		assertThat(tokens.token().block(WAIT)).isEqualTo("ya29.token-2");
	}

	@Test
	void aTokenEndpointThatIsDownMeansNothingWasSentAndIsTriedAgainLater() {
		AccessTokens tokens = tokens(Map.of());
		this.google.failNext(503, "{\"error\": \"backend_error\"}");
		StepVerifier.create(tokens.token()).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			// Refused for now: a create that never left cannot have an unknown outcome.
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.RATE_LIMITED);
			assertThat(failure.code()).isEqualTo("vertex_token_unavailable");
			assertThat(failure.retryAfter()).isNotNull();
			assertNoSecretIn(failure);
		}).verify(WAIT);
		// The failure is not cached: the next caller gets a token.
		StepVerifier.create(tokens.token()).expectNext("ya29.token-1").expectComplete().verify(WAIT);
	}

	@Test
	void anUnreachableTokenEndpointIsAlsoRefusedForNow() {
		ProviderSettings.Instance settings = vertex(TokenStandIn.keyJson(this.google.url("/token")),
				Map.of("token-url", StandIn.deadUrl() + "/token"));
		AccessTokens tokens = GoogleVeoProvider.tokens("vertex", settings,
				new ProviderHttp("vertex", StandIn.webClients(), settings.timeout()), this.clock);
		StepVerifier.create(tokens.token()).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RATE_LIMITED);
			assertThat(((ProviderException) error).httpStatus()).isZero();
			assertNoSecretIn((ProviderException) error);
		}).verify(WAIT);
	}

	@Test
	void aRefusedKeyIsPermanentInPlainWordsWithoutTheKey() {
		AccessTokens tokens = tokens(Map.of());
		this.google.failNext(400, "{\"error\": \"invalid_grant\", \"error_description\": \"Invalid JWT Signature.\"}");
		StepVerifier.create(tokens.token()).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(failure.code()).isEqualTo("vertex_credentials_refused");
			assertThat(failure.getMessage()).contains(TokenStandIn.EMAIL).contains("invalid_grant");
			assertNoSecretIn(failure);
		}).verify(WAIT);
	}

	@Test
	void aKeySignedByAnotherAccountIsRefusedByTheStandIn() {
		// The stand-in verifies the signature: a key it does not know is refused, as Google would.
		String foreign = TokenStandIn.keyJson(this.google.url("/token")).replace(TokenStandIn.EMAIL,
				"someone@else.iam.gserviceaccount.com");
		ProviderSettings.Instance settings = vertex(foreign, Map.of());
		AccessTokens tokens = GoogleVeoProvider.tokens("vertex", settings,
				new ProviderHttp("vertex", StandIn.webClients(), settings.timeout()), this.clock);
		StepVerifier.create(tokens.token())
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).code())
				.isEqualTo("vertex_credentials_refused"))
			.verify(WAIT);
		assertThat(this.google.issued).isEmpty();
	}

	@Test
	void vertexVeoRunsOnServiceAccountTokensEndToEnd(@TempDir Path dir) throws Exception {
		// The key given as the path of its file, as GOOGLE_APPLICATION_CREDENTIALS would be.
		Path file = dir.resolve("vertex-key.json");
		Files.writeString(file, TokenStandIn.keyJson(this.google.url("/token")));
		VideoProvider vertex = new ProviderFamilies().googleVeoFamily(StandIn.webClients()).create("vertex",
				vertex(file.toString(), Map.of("api", "vertex")));
		String operation = "projects/project-1/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/0f1e";
		this.google.vertexAnswer = "{\"name\": \"" + operation + "\"}";
		StepVerifier.create(vertex.submit(new GenerationRequest("veo-3.1-generate-001", "A lighthouse in a storm", 8,
				"16:9", "720p", null, 7L)))
			.assertNext((job) -> assertThat(job.remoteId()).isEqualTo(operation))
			.expectComplete()
			.verify(WAIT);
		this.google.vertexAnswer = "{\"name\": \"" + operation + "\", \"done\": true, \"response\": {\"videos\": "
				+ "[{\"bytesBase64Encoded\": \"AAAA\", \"mimeType\": \"video/mp4\"}]}}";
		StepVerifier.create(vertex.status(operation))
			.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.COMPLETED))
			.expectComplete()
			.verify(WAIT);
		assertThat(this.google.vertexCalls).hasSize(2)
			.allSatisfy((call) -> assertThat(call.getHeaders().get("Authorization")).isEqualTo("Bearer ya29.token-1"));
		assertThat(this.google.vertexCalls.get(0).getUrl().encodedPath())
			.endsWith("/models/veo-3.1-generate-001:predictLongRunning");
		assertThat(this.google.issued).as("one token for both calls").hasSize(1);
	}

	@Test
	void aStaticAccessTokenIsStillAnOption() {
		VideoProvider vertex = new ProviderFamilies().googleVeoFamily(StandIn.webClients()).create("vertex",
				vertex("ya29.pasted-token", Map.of("api", "vertex")));
		this.google.vertexAnswer = "{\"name\": \"projects/p/operations/1\"}";
		vertex.submit(new GenerationRequest("veo-3.1-generate-001", "x", 8, "16:9", "720p", null, null))
			.onErrorResume((error) -> reactor.core.publisher.Mono.empty())
			.block(WAIT);
		assertThat(this.google.vertexCalls.get(0).getHeaders().get("Authorization")).isEqualTo("Bearer ya29.pasted-token");
		assertThat(this.google.issued).isEmpty();
	}

	@Test
	void theKeyNeverShowsInItsDescription() {
		ServiceAccountKey key = ServiceAccountKey.parse(TokenStandIn.keyJson("https://oauth2.googleapis.com/token"),
				"vertex");
		assertThat(key.toString()).isEqualTo("ServiceAccountKey[" + TokenStandIn.EMAIL + "]");
	}

	private static void assertNoSecretIn(ProviderException failure) {
		String everything = failure.getMessage() + " " + failure.getCause();
		assertThat(everything).doesNotContain("PRIVATE KEY").doesNotContain("eyJ").doesNotContain("ya29.");
	}

	/** A clock the test moves by hand, so expiry is tested without waiting for it. */
	static final class MutableClock extends Clock {

		private final AtomicReference<Instant> now;

		MutableClock(Instant start) {
			this.now = new AtomicReference<>(start);
		}

		void advance(Duration by) {
			this.now.updateAndGet((instant) -> instant.plus(by));
		}

		@Override
		public Instant instant() {
			return this.now.get();
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
