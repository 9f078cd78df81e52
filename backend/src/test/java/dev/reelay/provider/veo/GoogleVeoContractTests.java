package dev.reelay.provider.veo;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.StandardWebhooks;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The google-veo family on the Gemini API against a stand-in (docs/providers/google-veo.md). Operations have no
 * named states (done is true or it is not), so there is no undocumented state to report; an operation with neither
 * samples nor an error is reported as a failure with its own code rather than a crash.
 */
class GoogleVeoContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.AnswersSlowly {

	static final String OPERATION = "models/veo-3.1-generate-001/operations/vz341u0pmdlc";

	GoogleVeoContractTests() {
		super(new StandIn(), "/v1beta");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return new ProviderFamilies().googleVeoFamily(StandIn.webClients()).create("gemini",
				StandIn.settings("google-veo", baseUrl, List.of(), Map.of(), timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("veo-3.1-generate-001", "Slow dolly-in on a neon street", 8, "9:16", "1080p",
				"blurry", 42L);
	}

	@Override
	protected void willAccept() {
		this.api.json(200, "{\"name\": \"" + OPERATION + "\"}");
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.take();
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning");
		assertThat(create.getHeaders().get("x-goog-api-key")).isEqualTo("test-key");
		assertThat(create.getHeaders().get("Authorization")).isNull();
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("instances").size()).isEqualTo(1);
		assertThat(body.get("instances").get(0).get("prompt").stringValue()).isEqualTo(request.prompt());
		JsonNode parameters = body.get("parameters");
		assertThat(parameters.get("aspectRatio").stringValue()).isEqualTo("9:16");
		assertThat(parameters.get("resolution").stringValue()).isEqualTo("1080p");
		// A JSON number, not the guide's quoted string.
		assertThat(parameters.get("durationSeconds").isIntegralNumber()).isTrue();
		assertThat(parameters.get("durationSeconds").intValue()).isEqualTo(8);
		assertThat(parameters.get("negativePrompt").stringValue()).isEqualTo("blurry");
		// The Gemini API refuses seed; it is sent to Vertex only.
		assertThat(parameters.has("seed")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED, RemoteStatus.FAILED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case IN_PROGRESS -> this.api.json(200, "{\"name\": \"" + remoteId + "\"}");
			case COMPLETED -> this.api.json(200, completed(remoteId, this.api.url("/v1beta/files/3k9x2q7m1abc:download?alt=media")));
			case FAILED -> this.api.json(200, "{\"name\": \"" + remoteId + "\", \"done\": true, "
					+ "\"error\": {\"code\": 3, \"message\": \"The prompt could not be processed.\", \"details\": []}}");
			default -> {
				return false;
			}
		}
		return true;
	}

	static String completed(String name, String uri) {
		return """
				{"name": "%s", "done": true, "response": {
				  "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
				  "generateVideoResponse": {"generatedSamples": [{"video": {"uri": "%s"}}]}}}
				""".formatted(name, uri);
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		String file = this.api.url("/v1beta/files/3k9x2q7m1abc:download?alt=media");
		this.api.json(200, completed(remoteId, file));
		// The file URI redirects to storage, as Google's does; the key goes along.
		this.api.respond(new MockResponse.Builder().code(302).setHeader("Location", this.api.url("/storage/clip.mp4")).build());
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.body("{\"error\": {\"code\": " + httpStatus + ", \"message\": \"Request failed\", \"status\": \""
					+ ((httpStatus == 429) ? "RESOURCE_EXHAUSTED" : "INVALID_ARGUMENT") + "\", \"details\": []}}");
		if (httpStatus == 429) {
			response.setHeader("Retry-After", "30");
		}
		this.api.respond(response.build());
	}

	@Test
	void pollingGetsTheOperationNameVerbatimAndDownloadsWithTheKey() {
		String remoteId = submitted();
		this.api.take();
		willServeVideo(remoteId);
		provider().content(remoteId).flatMap((content) -> content.body().then()).block(WAIT);
		RecordedRequest poll = this.api.take();
		assertThat(poll.getMethod()).isEqualTo("GET");
		assertThat(poll.getUrl().encodedPath()).isEqualTo("/v1beta/" + OPERATION);
		RecordedRequest download = this.api.take();
		assertThat(download.getTarget()).isEqualTo("/v1beta/files/3k9x2q7m1abc:download?alt=media");
		assertThat(download.getHeaders().get("x-goog-api-key")).isEqualTo("test-key");
		RecordedRequest redirected = this.api.take();
		assertThat(redirected.getUrl().encodedPath()).isEqualTo("/storage/clip.mp4");
		assertThat(redirected.getHeaders().get("x-goog-api-key")).as("same host: the key goes along").isEqualTo("test-key");
	}

	@Test
	void theKeyIsNotForwardedWhenTheDownloadRedirectsToAnotherHost() {
		try (StandIn storage = new StandIn()) {
			String file = this.api.url("/v1beta/files/f9:download?alt=media");
			this.api.json(200, completed(OPERATION, file));
			this.api.respond(new MockResponse.Builder().code(302)
				.setHeader("Location", storage.url("/signed/clip.mp4?sig=1"))
				.build());
			storage.video(StandIn.VIDEO);
			provider().content(OPERATION).flatMap((content) -> content.body().then()).block(WAIT);
			RecordedRequest elsewhere = storage.take();
			assertThat(elsewhere.getUrl().encodedPath()).isEqualTo("/signed/clip.mp4");
			assertThat(elsewhere.getHeaders().get("x-goog-api-key")).isNull();
		}
	}

	@Test
	void aSafetyFilteredResultIsAFailureWithTheReasons() {
		this.api.json(200, """
				{"name": "%s", "done": true, "response": {"generateVideoResponse": {
				  "raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["The video may depict a real person."]}}}
				""".formatted(OPERATION));
		StepVerifier.create(provider().status(OPERATION)).assertNext((job) -> {
			assertThat(job.status()).isEqualTo(RemoteStatus.FAILED);
			assertThat(job.error().code()).isEqualTo("safety_filtered");
			assertThat(job.error().message()).contains("The video may depict a real person.");
		}).verifyComplete();
	}

	@Test
	void anUploadedImageTravelsInlineAsBase64() {
		byte[] jpeg = { (byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3 };
		willAccept();
		provider().submit(new GenerationRequest("veo-3.1-generate-001", "Animate this", 4, "16:9", "720p", null,
				null, new ImageInput.Upload(jpeg, "image/jpeg"), null)).block(WAIT);
		JsonNode image = StandIn.jsonBody(this.api.take()).get("instances").get(0).get("image");
		assertThat(image.get("mimeType").stringValue()).isEqualTo("image/jpeg");
		assertThat(Base64.getDecoder().decode(image.get("bytesBase64Encoded").stringValue())).isEqualTo(jpeg);
	}

	@Test
	void anImageUrlIsRefusedWithoutACall() {
		StepVerifier.create(provider().submit(new GenerationRequest("veo-3.1-generate-001", "x", 4, "16:9", "720p",
				null, null, new ImageInput.Url("https://example.com/a.png"), null)))
			.expectErrorSatisfies((error) -> assertThat(error).hasMessageContaining("uploads only"))
			.verify(WAIT);
		assertThat(this.api.requestCount()).isZero();
	}

	@Test
	void vertexPollsWithFetchPredictOperationAndABearerToken() {
		String name = "projects/p1/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/0f1e";
		VideoProvider vertex = new ProviderFamilies().googleVeoFamily(StandIn.webClients()).create("vertex", StandIn.settings("google-veo",
				this.api.url("/v1/projects/p1/locations/us-central1/publishers/google"), List.of(), Map.of("api", "vertex")));
		this.api.json(200, "{\"name\": \"" + name + "\"}");
		vertex.submit(request()).block(WAIT);
		RecordedRequest create = this.api.take();
		assertThat(create.getUrl().encodedPath())
			.isEqualTo("/v1/projects/p1/locations/us-central1/publishers/google/models/veo-3.1-generate-001:predictLongRunning");
		assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		assertThat(StandIn.jsonBody(create).get("parameters").get("seed").longValue()).isEqualTo(42L);

		String inline = Base64.getEncoder().encodeToString(StandIn.VIDEO);
		this.api.json(200, """
				{"name": "%s", "done": true, "response": {"videos": [{"bytesBase64Encoded": "%s", "mimeType": "video/mp4"}]}}
				""".formatted(name, inline));
		StepVerifier.create(vertex.status(name))
			.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.COMPLETED))
			.verifyComplete();
		RecordedRequest poll = this.api.take();
		assertThat(poll.getMethod()).isEqualTo("POST");
		assertThat(poll.getUrl().encodedPath())
			.isEqualTo("/v1/projects/p1/locations/us-central1/publishers/google/models/veo-3.1-generate-001:fetchPredictOperation");
		assertThat(StandIn.jsonBody(poll).get("operationName").stringValue()).isEqualTo(name);
	}

	@Test
	void staticGeminiWebhooksAreStandardWebhooksNamingTheOperation() {
		String secret = "whsec_" + Base64.getEncoder().encodeToString("gemini webhook secret, 32 bytes".getBytes());
		WebhookVerifier hooked = new ProviderFamilies().googleVeoFamily(StandIn.webClients()).webhooks("gemini",
				StandIn.settings("google-veo", this.api.url("/v1beta"), List.of(secret), Map.of()),
				ProviderCallMeter.UNMETERED);
		byte[] body = ("{\"type\": \"video.generated\", \"version\": \"v1\", \"data\": {\"id\": \"" + OPERATION + "\"}}")
			.getBytes();
		long now = Instant.now().getEpochSecond();
		HttpHeaders headers = new HttpHeaders();
		headers.set("webhook-id", "wh_1");
		headers.set("webhook-timestamp", Long.toString(now));
		headers.set("webhook-signature", StandardWebhooks.sign(secret, "wh_1", now, body));
		StepVerifier.create(hooked.verify(new WebhookDelivery(headers, body)))
			.assertNext((notice) -> {
				assertThat(notice.deliveryId()).isEqualTo("wh_1");
				assertThat(notice.remoteId()).isEqualTo(OPERATION);
				assertThat(notice.type()).isEqualTo("video.generated");
			})
			.verifyComplete();
		// Without a configured secret the instance takes no webhooks at all.
		StepVerifier.create(new ProviderFamilies().googleVeoFamily(StandIn.webClients()).webhooks("gemini",
				StandIn.settings("google-veo", this.api.url("/v1beta"), List.of(), Map.of()), ProviderCallMeter.UNMETERED)
			.verify(new WebhookDelivery(headers, body)))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.NOT_ACCEPTED))
			.verify(WAIT);
	}

}
