package dev.reelay.provider.kie;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.KieSignatures;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** The kie family's Market jobs API against a stand-in (docs/providers/kie-ai.md); its Veo API below. */
class KieContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	KieContractTests() {
		super(new StandIn(), "");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return new ProviderFamilies().kieFamily(StandIn.webClients()).create("kie", StandIn.settings("kie", baseUrl,
				List.of(), Map.of("callback-url", "https://reelay.example/webhooks/kie"), timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("sora-2-text-to-video", "A happy dog in a sunlit garden", 10, "9:16", "720p",
				null, null);
	}

	@Override
	protected void willAccept() {
		this.api.json(200, "{\"code\": 200, \"msg\": \"success\", \"data\": {\"taskId\": \"task_sora_123\"}}");
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.take();
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/api/v1/jobs/createTask");
		assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("sora-2-text-to-video");
		assertThat(body.get("callBackUrl").stringValue()).isEqualTo("https://reelay.example/webhooks/kie");
		JsonNode input = body.get("input");
		assertThat(input.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(input.get("aspect_ratio").stringValue()).isEqualTo("portrait");
		// Seconds, as a string, under the name n_frames.
		assertThat(input.get("n_frames").isString()).isTrue();
		assertThat(input.get("n_frames").stringValue()).isEqualTo("10");
		assertThat(input.get("remove_watermark").booleanValue()).isTrue();
		assertThat(input.has("image_urls")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED,
				RemoteStatus.FAILED);
	}

	private int queuedReports;

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case QUEUED -> this.api.json(200, record(remoteId, (this.queuedReports++ % 2 == 0) ? "waiting" : "queuing", null));
			case IN_PROGRESS -> this.api.json(200, record(remoteId, "generating", null));
			case COMPLETED -> this.api.json(200, record(remoteId, "success",
					"{\\\"resultUrls\\\":[\\\"" + this.api.url("/files/video.mp4") + "\\\"]}"));
			case FAILED -> this.api.json(200, """
					{"code": 200, "message": "success", "data": {"taskId": "%s", "model": "sora-2-text-to-video",
					 "state": "fail", "param": "{}", "resultJson": "", "failCode": "500", "failMsg": "Internal server error",
					 "completeTime": 1698765432000, "createTime": 1698765400000, "updateTime": 1698765432000}}
					""".formatted(remoteId));
			default -> {
				return false;
			}
		}
		return true;
	}

	static String record(String taskId, String state, String resultJson) {
		return """
				{"code": 200, "message": "success", "data": {"taskId": "%s", "model": "sora-2-text-to-video",
				 "state": "%s", "param": "{\\"model\\":\\"sora-2-text-to-video\\",\\"input\\":{}}", "resultJson": %s,
				 "failCode": "", "failMsg": "", "completeTime": 1698765432000, "createTime": 1698765400000,
				 "updateTime": 1698765432000}}
				""".formatted(taskId, state, (resultJson != null) ? "\"" + resultJson + "\"" : "null");
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.json(200, record(remoteId, "moderating", null));
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		willReport(remoteId, RemoteStatus.COMPLETED);
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	/** Kie puts its errors in HTTP 200 bodies; real HTTP errors (from its gateway) are classified the same way. */
	@Override
	public void willFail(int httpStatus) {
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.body("{\"code\": " + httpStatus + ", \"msg\": \"Gateway says no\"}");
		if (httpStatus == 429) {
			response.setHeader("Retry-After", "5");
		}
		this.api.respond(response.build());
	}

	@Test
	void errorsInsideHttp200AreClassifiedByTheBodyCode() {
		this.api.json(200, "{\"code\": 402, \"msg\": \"The current credits are insufficient. Please top up.\", \"data\": null}");
		expectPermanent("insufficient_credits", "credits");
		this.api.json(200, "{\"code\": 401, \"msg\": \"Unauthorized\"}");
		expectPermanent("authentication_failed", "API key");
		this.api.json(200, "{\"code\": 422, \"msg\": \"prompt is required\"}");
		expectPermanent("invalid_request", "prompt is required");
		this.api.json(200, "{\"code\": 501, \"msg\": \"Generation failed\"}");
		expectPermanent("kie_501", "Generation failed");
		this.api.json(200, "{\"code\": 429, \"msg\": \"Too many requests\"}");
		StepVerifier.create(provider().submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RATE_LIMITED))
			.verify(WAIT);
		this.api.json(200, "{\"code\": 500, \"msg\": \"Internal error, try later\"}");
		StepVerifier.create(provider().submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RETRYABLE))
			.verify(WAIT);
	}

	private void expectPermanent(String code, String words) {
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(failure.code()).isEqualTo(code);
			assertThat(failure.getMessage()).contains(words);
		}).verify(WAIT);
	}

	@Test
	void resultJsonIsParsedASecondTimeForTheUrlAndTheCdnGetsNoKey() {
		this.api.json(200, record("task_1", "success", "{\\\"resultUrls\\\":[\\\"" + this.api.url("/cdn/v.mp4") + "\\\"]}"));
		this.api.video(StandIn.VIDEO);
		provider().content("task_1").flatMap((content) -> content.body().then()).block(WAIT);
		RecordedRequest record = this.api.take();
		assertThat(record.getTarget()).isEqualTo("/api/v1/jobs/recordInfo?taskId=task_1");
		RecordedRequest download = this.api.take();
		assertThat(download.getUrl().encodedPath()).isEqualTo("/cdn/v.mp4");
		assertThat(download.getHeaders().get("Authorization")).isNull();
	}

	@Test
	void veoModelsUseTheVeoEndpointsAndSuccessFlag() {
		this.api.json(200, "{\"code\": 200, \"msg\": \"success\", \"data\": {\"taskId\": \"veo_task_abc\"}}");
		StepVerifier.create(provider().submit(new GenerationRequest("veo3_fast", "A dog playing in a park", 8, "16:9",
				"720p", null, 12345L, new ImageInput.Url("https://example.com/first.jpg"), null)))
			.assertNext((job) -> assertThat(job.remoteId()).isEqualTo("veo/veo_task_abc"))
			.verifyComplete();
		RecordedRequest create = this.api.take();
		assertThat(create.getUrl().encodedPath()).isEqualTo("/api/v1/veo/generate");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("veo3_fast");
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("16:9");
		assertThat(body.get("imageUrls").get(0).stringValue()).isEqualTo("https://example.com/first.jpg");
		assertThat(body.get("generationType").stringValue()).isEqualTo("FIRST_AND_LAST_FRAMES_2_VIDEO");
		assertThat(body.get("seeds").isIntegralNumber()).isTrue();

		for (String[] flag : new String[][] { { "0", "IN_PROGRESS" }, { "1", "COMPLETED" }, { "2", "FAILED" },
				{ "3", "FAILED" }, { "7", "UNKNOWN" } }) {
			this.api.json(200, """
					{"code": 200, "msg": "success", "data": {"taskId": "veo_task_abc", "paramJson": "{}",
					 "completeTime": "2025-06-06 10:30:00", "createTime": "2025-06-06 10:25:00",
					 "response": null, "successFlag": %s, "errorCode": %s, "errorMessage": "%s", "fallbackFlag": false}}
					""".formatted(flag[0], flag[0].equals("2") ? "400" : "null",
					flag[0].equals("2") ? "Your prompt was flagged by the content policy" : ""));
			StepVerifier.create(provider().status("veo/veo_task_abc")).assertNext((job) -> {
				assertThat(job.status()).isEqualTo(RemoteStatus.valueOf(flag[1]));
				if (flag[0].equals("2")) {
					assertThat(job.error().message()).contains("content policy");
				}
			}).verifyComplete();
			assertThat(this.api.take().getTarget()).isEqualTo("/api/v1/veo/record-info?taskId=veo_task_abc");
		}
	}

	@Test
	void anUploadedImageIsRefusedBecauseKieFetchesUrls() {
		StepVerifier.create(provider().submit(new GenerationRequest("veo3_fast", "x", 8, "16:9", "720p", null, null,
				new ImageInput.Upload(new byte[] { 1 }, "image/png"), null)))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.PERMANENT))
			.verify(WAIT);
		assertThat(this.api.requestCount()).isZero();
	}

	@Test
	void callbacksNameTheTaskForEitherApiAndAreVerifiedOnTaskIdAndTime() {
		WebhookVerifier hooked = new ProviderFamilies().kieFamily(StandIn.webClients()).webhooks("kie",
				StandIn.settings("kie", this.api.url(""), List.of("kie-key"), Map.of()), ProviderCallMeter.UNMETERED);
		long now = Instant.now().getEpochSecond();
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-Webhook-Timestamp", Long.toString(now));
		headers.set("X-Webhook-Signature", KieSignatures.sign("kie-key", "e989621f", now));
		byte[] market = """
				{"code": 501, "msg": "Generation failed", "data": {"taskId": "e989621f", "model": "sora-2-text-to-video",
				 "state": "fail", "failCode": "500", "failMsg": "Internal server error", "consumeCredits": 0}}
				""".getBytes();
		StepVerifier.create(hooked.verify(new WebhookDelivery(headers, market)))
			.assertNext((notice) -> {
				assertThat(notice.remoteId()).isEqualTo("e989621f");
				assertThat(notice.deliveryId()).isEqualTo("e989621f." + now);
			})
			.verifyComplete();
		// The Chinese example's task_id spelling, on a Veo callback (no state): the Veo API is asked.
		byte[] veo = "{\"code\": 400, \"msg\": \"Only English prompts are supported\", \"data\": {\"task_id\": \"e989621f\"}}"
			.getBytes();
		StepVerifier.create(hooked.verify(new WebhookDelivery(headers, veo)))
			.assertNext((notice) -> assertThat(notice.remoteId()).isEqualTo("veo/e989621f"))
			.verifyComplete();
		assertThat(this.api.requestCount()).as("nothing in a callback is trusted or fetched here").isZero();
	}

}
