package dev.reelay.provider.fal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The fal family against a stand-in of fal's queue API (docs/providers/fal.md). */
class FalContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	static final String MODEL = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video";

	static final String REQUEST_ID = "80e732af-660e-45cd-bd63-580e4f2a94cc";

	FalContractTests() {
		super(new StandIn(), "");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return new ProviderFamilies().falFamily(StandIn.webClients()).create("fal", StandIn.settings("fal", baseUrl,
				List.of(), Map.of("callback-url", "https://reelay.example/webhooks/fal"), timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest(MODEL, "A red fox in fresh snow", 5, "16:9", "720p", "blur", 99L);
	}

	@Override
	protected void willAccept() {
		String app = this.api.url("/fal-ai/kling-video/requests/" + REQUEST_ID);
		this.api.json(200, """
				{"request_id": "%s", "response_url": "%s", "status_url": "%s/status", "cancel_url": "%s/cancel"}
				""".formatted(REQUEST_ID, app, app, app));
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest submit = this.api.take();
		assertThat(submit.getMethod()).isEqualTo("POST");
		assertThat(submit.getUrl().encodedPath()).isEqualTo("/" + MODEL);
		assertThat(submit.getUrl().queryParameter("fal_webhook")).isEqualTo("https://reelay.example/webhooks/fal");
		// fal's scheme word is Key.
		assertThat(submit.getHeaders().get("Authorization")).isEqualTo("Key test-key");
		JsonNode body = StandIn.jsonBody(submit);
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("duration").isString()).isTrue();
		assertThat(body.get("duration").stringValue()).isEqualTo("5");
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("16:9");
		assertThat(body.get("negative_prompt").stringValue()).isEqualTo("blur");
		assertThat(body.get("seed").longValue()).isEqualTo(99L);
		assertThat(body.has("image_url")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED, RemoteStatus.FAILED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case QUEUED -> this.api.json(200, "{\"status\": \"IN_QUEUE\", \"queue_position\": 3}");
			case IN_PROGRESS -> this.api.json(200, "{\"status\": \"IN_PROGRESS\", \"logs\": []}");
			case COMPLETED -> this.api.json(200, "{\"status\": \"COMPLETED\", \"logs\": [], \"metrics\": {\"inference_time\": 40.2}}");
			// COMPLETED does not mean success: a failed run says so in error.
			case FAILED -> this.api.json(200, "{\"status\": \"COMPLETED\", \"error\": \"Model crashed\", "
					+ "\"error_type\": \"runner_error\"}");
			default -> {
				return false;
			}
		}
		return true;
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.json(200, "{\"status\": \"PAUSED\"}");
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		this.api.json(200, "{\"video\": {\"url\": \"" + this.api.url("/files/fox.mp4")
				+ "\", \"content_type\": \"video/mp4\", \"file_name\": \"fox.mp4\", \"file_size\": 30}, \"seed\": 99}");
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.setHeader("x-fal-request-id", "abc")
			.body("{\"detail\": [{\"loc\": [\"body\", \"prompt\"], \"msg\": \"field required\", \"type\": \"value_error\"}]}");
		if (httpStatus == 429) {
			response.setHeader("Retry-After", "3");
		}
		this.api.respond(response.build());
	}

	@Test
	void statusResultAndCancelLiveUnderTheAppWithoutTheSubpath() {
		String remoteId = submitted();
		assertThat(remoteId).isEqualTo("fal-ai/kling-video/requests/" + REQUEST_ID);
		this.api.take();
		willReport(remoteId, RemoteStatus.IN_PROGRESS);
		provider().status(remoteId).block(WAIT);
		assertThat(this.api.take().getUrl().encodedPath()).isEqualTo("/fal-ai/kling-video/requests/" + REQUEST_ID + "/status");
		willServeVideo(remoteId);
		provider().content(remoteId).flatMap((content) -> content.body().then()).block(WAIT);
		RecordedRequest result = this.api.take();
		assertThat(result.getUrl().encodedPath()).isEqualTo("/fal-ai/kling-video/requests/" + REQUEST_ID);
		assertThat(result.getHeaders().get("Authorization")).isEqualTo("Key test-key");
		assertThat(this.api.take().getHeaders().get("Authorization")).as("the media CDN gets no key").isNull();

		this.api.json(202, "{\"status\": \"CANCELLATION_REQUESTED\"}");
		StepVerifier.create(provider().cancel(remoteId)).expectNext(CancelOutcome.CANCELED).verifyComplete();
		RecordedRequest cancel = this.api.take();
		assertThat(cancel.getMethod()).isEqualTo("PUT");
		assertThat(cancel.getUrl().encodedPath()).isEqualTo("/fal-ai/kling-video/requests/" + REQUEST_ID + "/cancel");
		this.api.json(400, "{\"status\": \"ALREADY_COMPLETED\"}");
		StepVerifier.create(provider().cancel(remoteId)).expectNext(CancelOutcome.ALREADY_FINISHED).verifyComplete();
	}

	@Test
	void imagesTravelAsImageUrlEvenWhenUploaded() {
		willAccept();
		provider().submit(new GenerationRequest("fal-ai/kling-video/v2.5-turbo/pro/image-to-video", "Move", 10, "9:16",
				"720p", null, null, new ImageInput.Upload(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff }, "image/jpeg"),
				null)).block(WAIT);
		assertThat(StandIn.jsonBody(this.api.take()).get("image_url").stringValue()).isEqualTo("data:image/jpeg;base64,/9j/");
	}

	@Test
	void pikaTakesItsDurationAsAnIntegerAndLivesUnderItsOwnApp() {
		this.api.json(200, "{\"request_id\": \"" + REQUEST_ID + "\"}");
		StepVerifier.create(provider().submit(new GenerationRequest("fal-ai/pika/v2.2/text-to-video", "A paper boat",
				10, "4:5", "1080p", "ugly", 5L)))
			.assertNext((job) -> assertThat(job.remoteId()).isEqualTo("fal-ai/pika/requests/" + REQUEST_ID))
			.verifyComplete();
		RecordedRequest submit = this.api.take();
		assertThat(submit.getUrl().encodedPath()).isEqualTo("/fal-ai/pika/v2.2/text-to-video");
		JsonNode body = StandIn.jsonBody(submit);
		assertThat(body.get("duration").isIntegralNumber()).isTrue();
		assertThat(body.get("duration").intValue()).isEqualTo(10);
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("4:5");
		assertThat(body.get("resolution").stringValue()).isEqualTo("1080p");
		assertThat(body.get("negative_prompt").stringValue()).isEqualTo("ugly");

		this.api.json(200, "{\"request_id\": \"" + REQUEST_ID + "\"}");
		provider().submit(new GenerationRequest("fal-ai/pika/v2.2/image-to-video", "The boat drifts", 5, "16:9",
				"720p", null, null, new ImageInput.Url("https://example.com/boat.png"), null)).block(WAIT);
		JsonNode fromImage = StandIn.jsonBody(this.api.take());
		assertThat(fromImage.get("image_url").stringValue()).isEqualTo("https://example.com/boat.png");
		assertThat(fromImage.get("duration").intValue()).isEqualTo(5);
	}

	@Test
	void aServerErrorFromTheAppIsNotSubmittedAgainButOneFromTheIngressIs() {
		willFail(503);
		expectError(provider().submit(request()), ProviderException.Kind.PERMANENT, 503);
		this.api.respond(new MockResponse.Builder().code(503).setHeader("Content-Type", "application/json")
			.body("{\"detail\": \"upstream unavailable\"}").build());
		expectError(provider().submit(request()), ProviderException.Kind.RETRYABLE, 503);
	}

}
