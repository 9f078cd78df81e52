package dev.reelay.provider.openai;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
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

/** The openai-videos family against a stand-in of /v1/videos (docs/providers/openai-videos.md). */
class OpenAiVideosContractTests extends StandInContractTests<StandIn>
		implements VideoProviderContractTests.AnswersHttpErrors,
		VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	static OpenAiVideosFamily family() {
		// No simulator: these instances all have a base URL.
		return new OpenAiVideosFamily(StandIn.webClients(), Optional.empty());
	}

	OpenAiVideosContractTests() {
		super(new StandIn(), "/v1");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return family().create("openai", StandIn.settings("openai-videos", baseUrl, List.of(), Map.of(), timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("sora-2", "A calico cat playing a grand piano", 8, "16:9", "720p", null, null);
	}

	@Override
	protected void willAccept() {
		this.api.json(200, video("video_123", "queued", 0, null));
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.take();
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/videos");
		assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		assertThat(create.getHeaders().get("Content-Type")).matches("multipart/form-data; ?boundary=.+");
		assertThat(StandIn.formField(create, "prompt")).isEqualTo(request.prompt());
		assertThat(StandIn.formField(create, "model")).isEqualTo("sora-2");
		// A string field in a form; never a JSON integer.
		assertThat(StandIn.formField(create, "seconds")).isEqualTo("8");
		assertThat(StandIn.formField(create, "size")).isEqualTo("1280x720");
		assertThat(StandIn.body(create)).doesNotContain("input_reference");
		assertSentWithItsLength(create);
	}

	/**
	 * A form goes with a Content-Length, as the SDKs send it, never chunked: a simple server reads a chunked form
	 * as an empty body.
	 */
	private static void assertSentWithItsLength(RecordedRequest create) {
		assertThat(create.getHeaders().get("Transfer-Encoding")).as("Transfer-Encoding").isNull();
		assertThat(create.getChunkSizes()).as("chunks").isNullOrEmpty();
		assertThat(create.getHeaders().get("Content-Length")).as("Content-Length").isNotNull();
		assertThat(Long.parseLong(create.getHeaders().get("Content-Length"))).isEqualTo(create.getBodySize())
			.isEqualTo(create.getBody().size())
			.isPositive();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED, RemoteStatus.FAILED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case QUEUED -> this.api.json(200, video(remoteId, "queued", 0, null));
			case IN_PROGRESS -> this.api.json(200, video(remoteId, "in_progress", 42, null));
			case COMPLETED -> this.api.json(200, video(remoteId, "completed", 100, null));
			case FAILED -> this.api.json(200, video(remoteId, "failed", 0,
					"{\"code\": \"moderation_blocked\", \"message\": \"Your request was blocked by our moderation system.\"}"));
			default -> {
				return false;
			}
		}
		return true;
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.json(200, video(remoteId, "paused_for_review", 10, null));
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		this.api.video(StandIn.VIDEO);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		String body = "{\"error\": {\"message\": \"Something about the request\", \"type\": \"invalid_request_error\", "
				+ "\"param\": null, \"code\": null}}";
		MockResponse.Builder response = new MockResponse.Builder().code(httpStatus)
			.setHeader("Content-Type", "application/json")
			.setHeader("x-request-id", "req_abc")
			.body(body);
		if (httpStatus == 429) {
			response.setHeader("retry-after-ms", "1500").setHeader("Retry-After", "2");
		}
		this.api.respond(response.build());
	}

	static String video(String id, String status, int progress, String error) {
		return """
				{"id": "%s", "object": "video", "model": "sora-2", "status": "%s", "progress": %d,
				 "created_at": 1758941485, "completed_at": null, "expires_at": null, "prompt": "A calico cat playing a grand piano",
				 "size": "1280x720", "seconds": "8", "remixed_from_video_id": null, "error": %s, "quality": "standard"}
				""".formatted(id, status, progress, (error != null) ? error : "null");
	}

	@Test
	void anUploadedImageTravelsAsTheInputReferenceFilePart() {
		byte[] png = { (byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3 };
		willAccept();
		provider().submit(new GenerationRequest("sora-2", "From this frame", 4, "9:16", "720p", null, null,
				new ImageInput.Upload(png, "image/png"), null)).block(WAIT);
		RecordedRequest create = this.api.take();
		String body = new String(create.getBody().toByteArray(), StandardCharsets.ISO_8859_1);
		assertThat(body).contains("name=\"input_reference\"; filename=\"image.png\"");
		assertThat(body).contains("Content-Type: image/png");
		assertThat(body).contains(new String(png, StandardCharsets.ISO_8859_1));
		assertThat(StandIn.formField(create, "size")).isEqualTo("720x1280");
		assertThat(StandIn.formField(create, "seconds")).isEqualTo("4");
		assertSentWithItsLength(create);
	}

	@Test
	void anImageUrlTravelsAsJsonWithTheObjectForm() {
		willAccept();
		provider().submit(new GenerationRequest("sora-2", "From this URL", 12, "16:9", "720p", null, null,
				new ImageInput.Url("https://example.com/frame.png"), null)).block(WAIT);
		RecordedRequest create = this.api.take();
		assertThat(create.getHeaders().get("Content-Type")).startsWith("application/json");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("seconds").isString()).isTrue();
		assertThat(body.get("seconds").stringValue()).isEqualTo("12");
		assertThat(body.get("size").stringValue()).isEqualTo("1280x720");
		assertThat(body.get("input_reference").get("image_url").stringValue()).isEqualTo("https://example.com/frame.png");
		assertThat(body.get("input_reference").propertyNames()).containsExactly("image_url");
	}

	@Test
	void aRemixPostsOnlyThePromptToTheSourcesRemixPath() {
		this.api.json(200, video("video_new", "queued", 0, null));
		StepVerifier.create(provider().submit(new GenerationRequest("sora-2", "Now at night", 8, "16:9", "720p",
				null, null, null, "video_source")))
			.assertNext((job) -> assertThat(job.remoteId()).isEqualTo("video_new"))
			.verifyComplete();
		RecordedRequest remix = this.api.take();
		assertThat(remix.getMethod()).isEqualTo("POST");
		assertThat(remix.getUrl().encodedPath()).isEqualTo("/v1/videos/video_source/remix");
		assertThat(StandIn.jsonBody(remix).propertyNames()).containsExactly("prompt");
		assertThat(StandIn.jsonBody(remix).get("prompt").stringValue()).isEqualTo("Now at night");
	}

	@Test
	void contentAsksForTheVariant() {
		this.api.respond(new MockResponse.Builder().code(200).setHeader("Content-Type", "image/webp").body("webp").build());
		StepVerifier.create(provider().content("video_1", ContentVariant.THUMBNAIL))
			.assertNext((content) -> {
				assertThat(content.contentType()).isEqualTo("image/webp");
				content.body().subscribe().dispose();
			})
			.verifyComplete();
		RecordedRequest download = this.api.take();
		assertThat(download.getTarget()).isEqualTo("/v1/videos/video_1/content?variant=thumbnail");
		assertThat(download.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
	}

	@Test
	void aQuota429IsPermanentNotARateLimit() {
		this.api.json(429, "{\"error\": {\"message\": \"You exceeded your current quota\", \"type\": \"insufficient_quota\","
				+ " \"param\": null, \"code\": \"insufficient_quota\"}}");
		expectError(provider().submit(request()), ProviderException.Kind.PERMANENT, 429);
	}

	@Test
	void xShouldRetryOverridesTheStatus() {
		this.api.respond(new MockResponse.Builder().code(500).setHeader("x-should-retry", "false").body("{}").build());
		expectError(provider().status("video_1"), ProviderException.Kind.PERMANENT, 500);
		this.api.respond(new MockResponse.Builder().code(400).setHeader("x-should-retry", "true").body("{}").build());
		expectError(provider().status("video_1"), ProviderException.Kind.RETRYABLE, 400);
	}

	@Test
	void thePollHintIsPassedOn() {
		this.api.respond(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json")
			.setHeader("openai-poll-after-ms", "7000")
			.body(video("video_1", "in_progress", 30, null))
			.build());
		StepVerifier.create(provider().status("video_1"))
			.assertNext((job) -> assertThat(job.pollAfter()).isEqualTo(Duration.ofSeconds(7)))
			.verifyComplete();
	}

	@Test
	void aLostSubmitIsFoundInTheListByEveryEchoedField() {
		String otherPrompt = video("video_other", "queued", 0, null).replace("A calico cat playing a grand piano", "other");
		String otherSize = video("video_portrait", "queued", 0, null).replace("1280x720", "720x1280");
		String otherLength = video("video_short", "queued", 0, null).replace("\"seconds\": \"8\"", "\"seconds\": \"4\"");
		String otherModel = video("video_pro", "queued", 0, null).replace("\"model\": \"sora-2\"", "\"model\": \"sora-2-pro\"");
		this.api.json(200, """
				{"object": "list", "data": [%s, %s, %s, %s], "first_id": "video_other", "last_id": "video_pro", "has_more": true}
				""".formatted(otherPrompt, otherSize, otherLength, otherModel));
		this.api.json(200, """
				{"object": "list", "data": [%s], "first_id": "video_mine", "last_id": "video_mine", "has_more": false}
				""".formatted(video("video_mine", "in_progress", 5, null)));
		StepVerifier.create(provider().findSubmitted(request(), Instant.ofEpochSecond(1758941400)))
			.assertNext((found) -> {
				assertThat(found.remote().remoteId()).isEqualTo("video_mine");
				assertThat(found.createdAt()).isEqualTo(Instant.ofEpochSecond(1758941485));
			})
			.verifyComplete();
		assertThat(this.api.take().getTarget()).isEqualTo("/v1/videos?order=desc&limit=100");
		assertThat(this.api.take().getTarget()).isEqualTo("/v1/videos?order=desc&limit=100&after=video_pro");
	}

	@Test
	void aCreateAcceptedWithoutAnIdHasAnUnknownOutcomeNotARefusal() {
		this.api.json(200, video("", "queued", 0, null));
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			assertThat(failure.code()).isEqualTo("accepted_without_id");
		}).verify();
	}

	@Test
	void everyVideoALostSubmitCouldBeIsAnsweredNotJustTheFirst() {
		this.api.json(200, """
				{"object": "list", "data": [%s, %s], "first_id": "video_b", "last_id": "video_a", "has_more": false}
				""".formatted(video("video_b", "queued", 0, null), video("video_a", "in_progress", 5, null)));
		StepVerifier.create(provider().findSubmitted(request(), Instant.ofEpochSecond(1758941400))
			.map((found) -> found.remote().remoteId())).expectNext("video_b", "video_a").verifyComplete();
	}

	@Test
	void thereIsNoCancel() {
		StepVerifier.create(provider().cancel("video_1")).expectNext(dev.reelay.provider.CancelOutcome.UNSUPPORTED)
			.verifyComplete();
		assertThat(this.api.requestCount()).isZero();
	}

}
