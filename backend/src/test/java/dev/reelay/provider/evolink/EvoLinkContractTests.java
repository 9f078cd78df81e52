package dev.reelay.provider.evolink;

import java.time.Duration;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.ProviderUsage;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The evolink family against a stand-in of EvoLink's unified task API (docs/providers/evolink.md). */
class EvoLinkContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	static final String TASK = "task-unified-1774857405-abc123";

	static final String CALLBACK = "https://reelay.example/webhooks/evolink";

	static WebhookVerifier evolinkHooks(String baseUrl, Map<String, String> options) {
		return new ProviderFamilies().evolinkFamily(StandIn.webClients()).webhooks("evolink",
				StandIn.settings("evolink", baseUrl, List.of(), options), ProviderCallMeter.UNMETERED);
	}

	static VideoProvider evolink(String baseUrl, Map<String, String> options) {
		return evolink(baseUrl, options, Duration.ofSeconds(5));
	}

	static VideoProvider evolink(String baseUrl, Map<String, String> options, Duration timeout) {
		return new ProviderFamilies().evolinkFamily(StandIn.webClients()).create("evolink",
				StandIn.settings("evolink", baseUrl, List.of(), options, timeout));
	}

	EvoLinkContractTests() {
		super(new StandIn(), "");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return evolink(baseUrl, Map.of("callback-url", CALLBACK), timeout);
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("seedance-2.0-text-to-video", "A cat playing the Moonlight Sonata on a piano", 8,
				"16:9", "720p", "blurry", 7L);
	}

	@Override
	protected void willAccept() {
		// The create answer as documented: the task, pending, with the credits held for it.
		this.api.json(200, task(TASK, "pending", 0, """
				"task_info": {"can_cancel": true, "estimated_time": 165, "video_duration": 8},
				"usage": {"billing_rule": "per_second", "credits_reserved": 50, "user_group": "default"}"""));
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.take();
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/videos/generations");
		assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("seedance-2.0-text-to-video");
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("duration").isIntegralNumber()).isTrue();
		assertThat(body.get("duration").intValue()).isEqualTo(8);
		assertThat(body.get("quality").stringValue()).isEqualTo("720p");
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("16:9");
		assertThat(body.get("callback_url").stringValue()).isEqualTo(CALLBACK);
		// Seedance takes neither a seed nor a negative prompt; they are left out, not sent to be refused.
		assertThat(body.has("seed")).isFalse();
		assertThat(body.has("negative_prompt")).isFalse();
		assertThat(body.has("image_urls")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED, RemoteStatus.FAILED,
				RemoteStatus.CANCELED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case QUEUED -> this.api.json(200, task(remoteId, "pending", 0, null));
			case IN_PROGRESS -> this.api.json(200, task(remoteId, "processing", 42, null));
			case COMPLETED -> this.api.json(200, task(remoteId, "completed", 100,
					"\"results\": [\"" + this.api.url("/cdn/result.mp4") + "\"]"));
			case FAILED -> this.api.json(200, task(remoteId, "failed", 30, """
					"error": {"code": "generation_timeout", "message": "Upstream timed out", "type": "task_error"}"""));
			// Only EvoLink's CLI knows this state; it is mapped, not guessed at.
			case CANCELED -> this.api.json(200, task(remoteId, "cancelled", 10, null));
			default -> {
				return false;
			}
		}
		return true;
	}

	/** A task object as GET /v1/tasks/{id} and the create answer return it, with {@code extra} fields. */
	static String task(String id, String status, int progress, String extra) {
		return """
				{"id": "%s", "object": "video.generation.task", "created": 1774857405,
				 "model": "seedance-2.0-text-to-video", "type": "video", "status": "%s", "progress": %d%s}
				""".formatted(id, status, progress, (extra != null) ? ", " + extra : "");
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.json(200, task(remoteId, "moderating", 60, null));
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		willReport(remoteId, RemoteStatus.COMPLETED);
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	/** The newer envelope, with string codes; {@link #errorCodesMayBeNumbersOrStrings} has the older one. */
	@Override
	public void willFail(int httpStatus) {
		String[] codeAndType = switch (httpStatus) {
			case 400 -> new String[] { "invalid_request", "invalid_request_error" };
			case 401 -> new String[] { "unauthorized", "authentication_error" };
			case 403 -> new String[] { "model_access_denied", "invalid_request_error" };
			case 429 -> new String[] { "rate_limit_exceeded", "rate_limit_error" };
			default -> new String[] { "internal_error", "api_error" };
		};
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.body("{\"error\": {\"code\": \"" + codeAndType[0] + "\", \"message\": \"Request failed\", \"type\": \""
					+ codeAndType[1] + "\"}}");
		if (httpStatus == 429) {
			response.setHeader("Retry-After", "4");
		}
		this.api.respond(response.build());
	}

	@Test
	void theCreditsHeldAtCreateAndChargedLaterAreReportedAsUsage() {
		willAccept();
		StepVerifier.create(provider().submit(request())).assertNext((job) -> {
			assertThat(job.remoteId()).isEqualTo(TASK);
			assertThat(job.status()).isEqualTo(RemoteStatus.QUEUED);
			assertThat(job.usage()).isEqualTo(new ProviderUsage("per_second", new BigDecimal("50"), null, null, null));
		}).verifyComplete();
		// A later answer without usage (the GET schema omits it) reports nothing rather than zero.
		willReport(TASK, RemoteStatus.IN_PROGRESS);
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> assertThat(job.usage()).isNull())
			.verifyComplete();
		// What EvoLink's clients read once it settles: a charge under usage or billing, a cost in dollars.
		this.api.json(200, task(TASK, "completed", 100, """
				"results": ["https://cdn.example/v.mp4"],
				"usage": {"billing_rule": "per_second", "credits_used": "48.5", "cost": {"credits": 48.5, "usd": 0.69}},
				"billing": {"charge_status": "charged", "charged_credits": 48.5}"""));
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> assertThat(job.usage())
			.isEqualTo(new ProviderUsage("per_second", null, new BigDecimal("48.5"), null, new BigDecimal("0.69"))))
			.verifyComplete();
		this.api.json(200, task(TASK, "completed", 100, """
				"billing": {"charge_status": "charged", "charged_credits": 50}"""));
		StepVerifier.create(provider().status(TASK))
			.assertNext((job) -> assertThat(job.usage().creditsCharged()).isEqualByComparingTo("50"))
			.verifyComplete();
	}

	@Test
	void aCreateAcceptedWithoutAnIdHasAnUnknownOutcomeNotARefusal() {
		this.api.json(200, "{\"object\": \"video.generation.task\", \"status\": \"pending\"}");
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			assertThat(failure.code()).isEqualTo("accepted_without_id");
		}).verify();
	}

	@Test
	void failedTasksAreNotChargedAndSayWhyInPlainWords() {
		this.api.json(200, task(TASK, "failed", 0, """
				"error": {"code": "content_policy_violation", "message": "Prompt flagged", "type": "task_error"},
				"usage": {"billing_rule": "per_second", "credits_reserved": 50}"""));
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> {
			assertThat(job.status()).isEqualTo(RemoteStatus.FAILED);
			assertThat(job.error().code()).isEqualTo("content_policy_violation");
			assertThat(job.error().message()).isEqualTo(
					"evolink's content checks blocked this request. Try a different prompt or image.");
			assertThat(job.usage().creditsReserved()).isEqualByComparingTo("50");
			assertThat(job.usage().creditsCharged()).isEqualByComparingTo("0");
		}).verifyComplete();
		willReport(TASK, RemoteStatus.FAILED);
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("generation_timeout");
			assertThat(job.error().message()).contains("Upstream timed out").contains("retrying the job may work");
		}).verifyComplete();
		this.api.json(200, task(TASK, "failed", 0, """
				"error": {"code": "image_dimension_mismatch", "message": "Image ratio does not match", "type": "task_error"}"""));
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> assertThat(job.error().message())
			.isEqualTo("evolink could not use the request as given (image_dimension_mismatch): Image ratio does not match"))
			.verifyComplete();
	}

	@Test
	void errorCodesMayBeNumbersOrStrings() {
		// The older envelope: the HTTP status as a number, and a suggestion.
		this.api.json(400, """
				{"error": {"code": 400, "message": "duration must be between 4 and 15", "type": "invalid_request_error",
				 "fallback_suggestion": "use duration 5"}}""");
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(failure.code()).isEqualTo("invalid_request");
			assertThat(failure.getMessage()).contains("duration must be between 4 and 15");
		}).verify(WAIT);
		this.api.json(402, """
				{"error": {"code": "insufficient_quota", "message": "Insufficient credits", "type": "insufficient_quota"}}""");
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(failure.code()).isEqualTo("insufficient_quota");
			assertThat(failure.getMessage()).contains("no credits left");
		}).verify(WAIT);
		this.api.json(404, "{\"error\": {\"code\": 404, \"message\": \"Task not found or expired\", \"type\": \"not_found_error\"}}");
		StepVerifier.create(provider().status(TASK)).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).code()).isEqualTo("task_not_found");
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
		}).verify(WAIT);
		// A failed task's code, as a number too.
		this.api.json(200, task(TASK, "failed", 0, "\"error\": {\"code\": 500, \"message\": \"boom\"}"));
		StepVerifier.create(provider().status(TASK))
			.assertNext((job) -> assertThat(job.error().code()).isEqualTo("internal_error"))
			.verifyComplete();
	}

	@Test
	void eachModelFamilyGetsItsOwnBody() {
		JsonNode kling = created(new GenerationRequest("kling-o3-text-to-video", "A fox", 10, "9:16", "1080p", "blur",
				3L));
		assertThat(kling.get("duration").intValue()).isEqualTo(10);
		assertThat(kling.get("aspect_ratio").stringValue()).isEqualTo("9:16");
		assertThat(kling.get("quality").stringValue()).isEqualTo("1080p");
		// Kling's sound stays at its default (off), as the catalog says it makes no audio.
		assertThat(kling.has("sound")).isFalse();
		assertThat(kling.has("seed")).isFalse();

		JsonNode hailuo = created(new GenerationRequest("MiniMax-Hailuo-2.3", "A fox", 6, "16:9", "768p", null, null,
				new ImageInput.Url("https://example.com/fox.png"), null));
		assertThat(hailuo.get("quality").stringValue()).isEqualTo("768p");
		assertThat(hailuo.get("duration").intValue()).isEqualTo(6);
		assertThat(hailuo.has("aspect_ratio")).as("Hailuo takes no aspect ratio").isFalse();
		assertThat(hailuo.get("image_urls").get(0).stringValue()).isEqualTo("https://example.com/fox.png");

		JsonNode seedanceFromImage = created(new GenerationRequest("seedance-2.0-fast-image-to-video", "A fox", 5, "1:1",
				"480p", null, null, new ImageInput.Url("https://example.com/first.jpg"), null));
		assertThat(seedanceFromImage.get("image_urls").size()).isEqualTo(1);
		assertThat(seedanceFromImage.get("quality").stringValue()).isEqualTo("480p");

		JsonNode veo = created(new GenerationRequest("veo-3.1-fast-generate-preview", "A fox", 8, "16:9", "1080p",
				"rain", 42L, new ImageInput.Url("https://example.com/first.jpg"), null));
		assertThat(veo.get("generation_type").stringValue()).isEqualTo("FIRST&LAST");
		assertThat(veo.get("seed").longValue()).isEqualTo(42L);
		assertThat(veo.get("negative_prompt").stringValue()).isEqualTo("rain");
		assertThat(created(new GenerationRequest("veo-3.1-generate-preview", "A fox", 4, "16:9", "720p", null, null))
			.get("generation_type").stringValue()).isEqualTo("TEXT");

		JsonNode veoShort = created(new GenerationRequest("veo3.1-fast", "A fox", 8, "9:16", "720p", null, null));
		assertThat(veoShort.has("duration")).isFalse();
		assertThat(veoShort.has("quality")).isFalse();
		assertThat(veoShort.get("aspect_ratio").stringValue()).isEqualTo("9:16");
	}

	private JsonNode created(GenerationRequest request) {
		willAccept();
		provider().submit(request).block(WAIT);
		JsonNode body = StandIn.jsonBody(this.api.take());
		assertThat(body.get("model").stringValue()).isEqualTo(request.remoteModel());
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		return body;
	}

	@Test
	void anUploadedImageIsRefusedBecauseEvoLinkFetchesUrls() {
		StepVerifier.create(provider().submit(new GenerationRequest("seedance-2.0-image-to-video", "x", 5, "16:9",
				"720p", null, null, new ImageInput.Upload(new byte[] { 1 }, "image/png"), null)))
			.expectErrorSatisfies((error) -> {
				assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
				assertThat(error.getMessage()).contains("send the image as a URL");
			})
			.verify(WAIT);
		assertThat(this.api.requestCount()).isZero();
	}

	@Test
	void theResultIsReadFromTheTaskAndTheCdnGetsNoKey() {
		this.api.json(200, task(TASK, "completed", 100, "\"results\": [], \"result_data\": [{\"video_url\": \""
				+ this.api.url("/cdn/data.mp4") + "\", \"duration\": 8}]"));
		this.api.video(StandIn.VIDEO);
		provider().content(TASK).flatMap((content) -> content.body().then()).block(WAIT);
		RecordedRequest poll = this.api.take();
		assertThat(poll.getUrl().encodedPath()).isEqualTo("/v1/tasks/" + TASK);
		assertThat(poll.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		RecordedRequest download = this.api.take();
		assertThat(download.getUrl().encodedPath()).isEqualTo("/cdn/data.mp4");
		assertThat(download.getHeaders().get("Authorization")).isNull();

		this.api.json(200, task(TASK, "completed", 100, "\"results\": []"));
		StepVerifier.create(provider().content(TASK)).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).code()).isEqualTo("content_unavailable");
			assertThat(error.getMessage()).contains("24 hours");
		}).verify(WAIT);
	}

	@Test
	void thereIsNoCancelAndNoWayToFindAnUnansweredCreate() {
		StepVerifier.create(provider().cancel(TASK)).expectNext(CancelOutcome.UNSUPPORTED).verifyComplete();
		assertThat(provider().canFindSubmitted()).isFalse();
		StepVerifier.create(provider().findSubmitted(request(), java.time.Instant.EPOCH)).verifyComplete();
		assertThat(this.api.requestCount()).isZero();
	}

	@Test
	void unsignedCallbacksOnlyNameTheTaskToFetchAgain() {
		byte[] completed = task(TASK, "completed", 100, "\"results\": [\"https://cdn.example/v.mp4\"]").getBytes();
		StepVerifier.create(evolinkHooks(this.api.url(""), Map.of("callback-url", CALLBACK)).verify(new WebhookDelivery(new HttpHeaders(), completed)))
			.assertNext((notice) -> {
				assertThat(notice.remoteId()).isEqualTo(TASK);
				// EvoLink retries a callback up to three times; the same outcome is one delivery.
				assertThat(notice.deliveryId()).isEqualTo(TASK + ".completed");
			})
			.verifyComplete();
		StepVerifier.create(evolinkHooks(this.api.url(""), Map.of("callback-url", CALLBACK)).verify(new WebhookDelivery(new HttpHeaders(),
				"{\"id\": \"someone-elses-id\", \"status\": \"completed\"}".getBytes())))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.UNVERIFIED))
			.verify(WAIT);
		StepVerifier.create(evolinkHooks(this.api.url(""), Map.of())
			.verify(new WebhookDelivery(new HttpHeaders(), completed)))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.as("an instance that asks for no callbacks takes none")
				.isEqualTo(WebhookRejectedException.Reason.NOT_ACCEPTED))
			.verify(WAIT);
		assertThat(this.api.requestCount()).as("nothing in a callback is trusted or fetched here").isZero();
	}

	@Test
	void aCallbackUrlThatIsNotHttpsStopsStartup() {
		assertThatIllegalStateException().isThrownBy(() -> evolink(this.api.url(""),
				Map.of("callback-url", "http://reelay.example/webhooks/evolink")))
			.withMessageContaining("https://");
	}

}
