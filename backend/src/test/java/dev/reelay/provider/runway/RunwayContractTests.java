package dev.reelay.provider.runway;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
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

/** The runway family against a stand-in of Runway's task API (docs/providers/runway.md). */
class RunwayContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	static final String TASK = "17f20503-6c24-4c16-946b-35dbbce2af2f";

	RunwayContractTests() {
		super(new StandIn(), "");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return new ProviderFamilies().runwayFamily(StandIn.webClients()).create("runway",
				StandIn.settings("runway", baseUrl, List.of(), Map.of(), timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("gen4_turbo", "Clouds race across a sunny sky", 5, "16:9", "720p", "rain", 7L,
				new ImageInput.Url("https://example.com/frame.jpg"), null);
	}

	@Override
	protected void willAccept() {
		this.api.json(200, "{\"id\": \"" + TASK + "\"}");
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.take();
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/image_to_video");
		assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		assertThat(create.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("gen4_turbo");
		assertThat(body.get("promptImage").stringValue()).isEqualTo("https://example.com/frame.jpg");
		assertThat(body.get("promptText").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("ratio").stringValue()).isEqualTo("1280:720");
		assertThat(body.get("duration").isIntegralNumber()).isTrue();
		assertThat(body.get("duration").intValue()).isEqualTo(5);
		assertThat(body.get("seed").longValue()).isEqualTo(7L);
		// Only Runway's Veo models take a negative prompt.
		assertThat(body.has("negativePrompt")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED,
				RemoteStatus.FAILED, RemoteStatus.CANCELED);
	}

	private int queuedReports;

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		String created = "\"id\": \"" + remoteId + "\", \"createdAt\": \"2026-07-01T10:00:00.000Z\"";
		switch (status) {
			case QUEUED -> this.api.json(200, "{" + created + ", \"status\": \""
					+ ((this.queuedReports++ % 2 == 0) ? "PENDING" : "THROTTLED") + "\"}");
			case IN_PROGRESS -> this.api.json(200, "{" + created + ", \"status\": \"RUNNING\", \"progress\": 0.42}");
			case COMPLETED -> this.api.json(200, "{" + created + ", \"status\": \"SUCCEEDED\", \"output\": [\""
					+ this.api.url("/cdn/out.mp4?sig=abc") + "\"]}");
			case FAILED -> this.api.json(200, "{" + created + ", \"status\": \"FAILED\", "
					+ "\"failure\": \"An unexpected error occurred.\", \"failureCode\": \"INTERNAL.BAD_OUTPUT.CODE01\"}");
			case CANCELED -> this.api.json(200, "{" + created + ", \"status\": \"CANCELLED\"}");
			default -> {
				return false;
			}
		}
		return true;
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.json(200, "{\"id\": \"" + remoteId + "\", \"status\": \"ARCHIVED\"}");
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		willReport(remoteId, RemoteStatus.COMPLETED);
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.body("{\"error\": \"Request rejected\"}");
		if (httpStatus == 429) {
			response.setHeader("Retry-After", "10");
		}
		this.api.respond(response.build());
	}

	@Test
	void progressIsAFractionAndPollingNeverFasterThanFiveSeconds() {
		willReport(TASK, RemoteStatus.IN_PROGRESS);
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> {
			assertThat(job.progress()).isEqualTo(42);
			assertThat(job.pollAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
		}).verifyComplete();
		RecordedRequest poll = this.api.take();
		assertThat(poll.getUrl().encodedPath()).isEqualTo("/v1/tasks/" + TASK);
		assertThat(poll.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
	}

	@Test
	void textToVideoAndUploadsAsDataUris() {
		willAccept();
		provider().submit(new GenerationRequest("veo3.1", "A lighthouse", 8, "9:16", "1080p", "fog", null)).block(WAIT);
		RecordedRequest text = this.api.take();
		assertThat(text.getUrl().encodedPath()).isEqualTo("/v1/text_to_video");
		assertThat(StandIn.jsonBody(text).get("ratio").stringValue()).isEqualTo("1080:1920");
		assertThat(StandIn.jsonBody(text).get("negativePrompt").stringValue()).isEqualTo("fog");
		assertThat(StandIn.jsonBody(text).has("promptImage")).isFalse();

		willAccept();
		provider().submit(new GenerationRequest("gen4_turbo", "Move", 5, "16:9", "720p", null, null,
				new ImageInput.Upload(new byte[] { (byte) 0x89, 'P', 'N', 'G' }, "image/png"), null)).block(WAIT);
		assertThat(StandIn.jsonBody(this.api.take()).get("promptImage").stringValue())
			.isEqualTo("data:image/png;base64,iVBORw==");
	}

	@Test
	void aFailureIsToldInReelaysWordsWithRunwaysCode() {
		willReport(TASK, RemoteStatus.FAILED);
		StepVerifier.create(provider().status(TASK)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("INTERNAL.BAD_OUTPUT.CODE01");
			assertThat(job.error().message()).startsWith("Runway could not generate this video");
		}).verifyComplete();
	}

	@Test
	void cancelDeletesTheTask() {
		this.api.respond(new MockResponse.Builder().code(204).build());
		StepVerifier.create(provider().cancel(TASK)).expectNext(CancelOutcome.CANCELED).verifyComplete();
		RecordedRequest cancel = this.api.take();
		assertThat(cancel.getMethod()).isEqualTo("DELETE");
		assertThat(cancel.getUrl().encodedPath()).isEqualTo("/v1/tasks/" + TASK);
		this.api.json(404, "{\"error\": \"Task not found\"}");
		StepVerifier.create(provider().cancel(TASK)).expectNext(CancelOutcome.ALREADY_FINISHED).verifyComplete();
	}

}
