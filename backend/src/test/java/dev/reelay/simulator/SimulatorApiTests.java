package dev.reelay.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorApiTests extends SimulatorTestSupport {

	private static final List<String> VIDEO_KEYS = List.of("id", "object", "model", "status", "progress",
			"created_at", "completed_at", "expires_at", "prompt", "size", "seconds", "remixed_from_video_id",
			"error");

	@Autowired
	SimulatorLedger ledger;

	@Test
	void multipartCreateAnswersAQueuedVideoWithEveryRequiredKey() {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("prompt", "A calico cat playing a piano on stage");
		form.part("model", "sora-2-pro");
		form.part("seconds", "8");
		form.part("size", "1280x720");
		form.part("input_reference", new ByteArrayResource(new byte[] { (byte) 0x89, 'P', 'N', 'G' }) {

			@Override
			public String getFilename() {
				return "first_frame.png";
			}

		}).contentType(MediaType.IMAGE_PNG);

		JsonNode video = this.client.post()
			.uri("/videos")
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectHeader()
			.value(SimulatorFilter.REQUEST_ID_HEADER, (id) -> assertThat(id).startsWith("req_"))
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();

		assertThat(video.propertyNames()).containsExactlyInAnyOrderElementsOf(VIDEO_KEYS);
		assertThat(video.get("id").stringValue()).matches("video_[0-9a-f]{48}");
		assertThat(video.get("object").stringValue()).isEqualTo("video");
		assertThat(video.get("model").stringValue()).isEqualTo("sora-2-pro");
		assertThat(video.get("status").stringValue()).isEqualTo("queued");
		assertThat(video.get("progress").isInt()).isTrue();
		assertThat(video.get("progress").intValue()).isZero();
		assertThat(video.get("created_at").isIntegralNumber()).isTrue();
		assertThat(video.get("created_at").longValue()).isEqualTo(this.clock.instant().getEpochSecond());
		assertThat(video.get("prompt").stringValue()).isEqualTo("A calico cat playing a piano on stage");
		assertThat(video.get("size").stringValue()).isEqualTo("1280x720");
		assertThat(video.get("seconds").isString()).isTrue();
		assertThat(video.get("seconds").stringValue()).isEqualTo("8");
		for (String nullable : List.of("completed_at", "expires_at", "remixed_from_video_id", "error")) {
			assertThat(video.get(nullable).isNull()).as(nullable).isTrue();
		}
	}

	@Test
	void jsonCreateTakesAnObjectReferenceAndFillsInDefaults() {
		JsonNode video = create("""
				{"prompt": "A lighthouse in a storm", "input_reference": {"image_url": "https://example.com/a.png"}}
				""");

		assertThat(video.propertyNames()).containsExactlyInAnyOrderElementsOf(VIDEO_KEYS);
		assertThat(video.get("model").stringValue()).isEqualTo("sora-2");
		assertThat(video.get("seconds").stringValue()).isEqualTo("4");
		assertThat(video.get("size").stringValue()).isEqualTo("720x1280");
		assertThat(video.get("status").stringValue()).isEqualTo("queued");
	}

	@Test
	void jsonCreateAcceptsDataUrlsBeyondTheCodecsInMemoryLimit() {
		String dataUrl = "data:image/png;base64," + "A".repeat(2 * 1024 * 1024);

		JsonNode video = create("{\"prompt\": \"A big reference\", \"input_reference\": {\"image_url\": \""
				+ dataUrl + "\"}}");

		assertThat(video.get("status").stringValue()).isEqualTo("queued");
	}

	@Test
	void integerSecondsIsRejectedWithUpstreamsMessage() {
		JsonNode error = expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"A cat\", \"seconds\": 8}");

		assertError(error, "invalid_request_error", "seconds", null);
		assertThat(error.get("error").get("message").stringValue()).isEqualTo(
				"Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.");
	}

	@Test
	void unsupportedSizeIsRejected() {
		JsonNode error = expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"A cat\", \"size\": \"1920x1080\"}");

		assertError(error, "invalid_request_error", "size", "invalid_value");
		assertThat(error.get("error").get("message").stringValue()).isEqualTo("Invalid value: '1920x1080'. "
				+ "Supported values are: '720x1280', '1280x720', '1024x1792', and '1792x1024'.");
	}

	@Test
	void multipartSizeIsValidatedLikeJson() {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("prompt", "A cat");
		form.part("size", "1280x1280");

		JsonNode error = json(this.client.post()
			.uri("/videos")
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange(), HttpStatus.BAD_REQUEST);

		assertError(error, "invalid_request_error", "size", "invalid_value");
	}

	@Test
	void promptMustBePresentAndAtMost32000Characters() {
		assertError(expectError(HttpStatus.BAD_REQUEST, "{\"seconds\": \"4\"}"), "invalid_request_error", "prompt",
				"missing_required_parameter");
		assertError(expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"\"}"), "invalid_request_error", "prompt",
				"string_below_min_length");
		assertError(expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"" + "a".repeat(32_001) + "\"}"),
				"invalid_request_error", "prompt", "string_above_max_length");
		assertThat(create("{\"prompt\": \"" + "a".repeat(32_000) + "\"}").get("status").stringValue())
			.isEqualTo("queued");
	}

	@Test
	void unknownParametersAndUnparsableBodiesAreRejected() {
		assertError(expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"A cat\", \"quality\": \"high\"}"),
				"invalid_request_error", "quality", "unknown_parameter");
		assertError(expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": "), "invalid_request_error", null, null);
		assertError(expectError(HttpStatus.BAD_REQUEST, "[\"A cat\"]"), "invalid_request_error", null, null);
		assertError(expectError(HttpStatus.BAD_REQUEST,
				"{\"prompt\": \"A cat\", \"input_reference\": {\"image_url\": \"https://a\", \"file_id\": \"file-1\"}}"),
				"invalid_request_error", "input_reference", "invalid_value");
	}

	@Test
	void requestsWithoutABearerKeyAre401() {
		for (String authorization : Arrays.asList(null, "Basic dXNlcjpwYXNz", "Bearer ")) {
			WebTestClient.RequestHeadersSpec<?> request = anonymousClient().get().uri("/videos");
			if (authorization != null) {
				request = request.header(HttpHeaders.AUTHORIZATION, authorization);
			}
			JsonNode error = request.exchange()
				.expectStatus()
				.isUnauthorized()
				.expectHeader()
				.exists(SimulatorFilter.REQUEST_ID_HEADER)
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			assertError(error, "invalid_request_error", null, "invalid_api_key");
		}
	}

	@Test
	void statusFollowsTheClockFromQueuedThroughRisingProgressToCompleted() {
		String id = createVideo("A slow sunrise over the sea");
		long createdAt = this.clock.instant().getEpochSecond();

		assertThat(retrieve(id).get("status").stringValue()).isEqualTo("queued");

		List<Integer> progress = new ArrayList<>();
		for (int step = 0; step < 4; step++) {
			this.clock.advance(Duration.ofSeconds(4));
			JsonNode video = retrieve(id);
			assertThat(video.get("status").stringValue()).isEqualTo("in_progress");
			assertThat(video.get("completed_at").isNull()).isTrue();
			progress.add(video.get("progress").intValue());
		}
		assertThat(progress).containsExactly(20, 40, 60, 80);

		this.clock.advance(Duration.ofSeconds(4));
		JsonNode done = this.client.get()
			.uri("/videos/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(VideoHandler.POLL_AFTER_HEADER, "1000")
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(done.get("status").stringValue()).isEqualTo("completed");
		assertThat(done.get("progress").intValue()).isEqualTo(100);
		assertThat(done.get("completed_at").longValue()).isEqualTo(createdAt + 20);
		assertThat(done.get("expires_at").longValue()).isEqualTo(createdAt + 20 + 86_400);
		assertThat(done.get("error").isNull()).isTrue();
	}

	@Test
	void contentIsA404EnvelopeUntilTheVideoIsCompleted() {
		String id = createVideo("A paper boat on a river");
		this.clock.advance(Duration.ofSeconds(10));

		JsonNode error = json(this.client.get()
			.uri("/videos/{id}/content", id)
			.exchange(), HttpStatus.NOT_FOUND);

		assertError(error, "invalid_request_error", null, null);
		assertThat(error.get("error").get("message").stringValue()).startsWith("Video is not ready yet");
	}

	@Test
	void completedContentIsAnMp4ThatHonoursRangeRequests() {
		String id = completedVideo("A train crossing a bridge");

		byte[] clip = this.client.get()
			.uri("/videos/{id}/content", id)
			.header(HttpHeaders.ACCEPT, "application/binary")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType("video/mp4")
			.expectHeader()
			.valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(new String(clip, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");

		byte[] range = this.client.get()
			.uri("/videos/{id}/content?variant=video", id)
			.header(HttpHeaders.RANGE, "bytes=100-199")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectHeader()
			.valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 100-199/" + clip.length)
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(range).containsExactly(Arrays.copyOfRange(clip, 100, 200));
	}

	@Test
	void thumbnailAndSpritesheetAreWebp() {
		String id = completedVideo("A fox in the snow");

		for (String variant : List.of("thumbnail", "spritesheet")) {
			byte[] image = this.client.get()
				.uri("/videos/{id}/content?variant={variant}", id, variant)
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.contentType("image/webp")
				.expectBody(byte[].class)
				.returnResult()
				.getResponseBody();
			assertThat(new String(image, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");
		}

		assertError(json(this.client.get()
			.uri("/videos/{id}/content?variant=poster", id)
			.exchange(), HttpStatus.BAD_REQUEST), "invalid_request_error", "variant", "invalid_value");
	}

	@Test
	void listPagesWithAfterHasMoreAndOrder() {
		String first = createVideo("first");
		this.clock.advance(Duration.ofSeconds(1));
		String second = createVideo("second");
		this.clock.advance(Duration.ofSeconds(1));
		String third = createVideo("third");

		JsonNode newest = list("?limit=2");
		assertThat(newest.propertyNames()).containsExactlyInAnyOrder("object", "data", "first_id", "last_id",
				"has_more");
		assertThat(newest.get("object").stringValue()).isEqualTo("list");
		assertThat(ids(newest)).containsExactly(third, second);
		assertThat(newest.get("first_id").stringValue()).isEqualTo(third);
		assertThat(newest.get("last_id").stringValue()).isEqualTo(second);
		assertThat(newest.get("has_more").booleanValue()).isTrue();
		assertThat(newest.get("data").get(0).propertyNames()).containsExactlyInAnyOrderElementsOf(VIDEO_KEYS);

		JsonNode rest = list("?limit=2&after=" + second);
		assertThat(ids(rest)).containsExactly(first);
		assertThat(rest.get("has_more").booleanValue()).isFalse();

		JsonNode ascending = list("?order=asc&limit=1&after=" + first);
		assertThat(ids(ascending)).containsExactly(second);
		assertThat(ascending.get("has_more").booleanValue()).isTrue();

		assertThat(ids(list("?order=asc"))).containsExactly(first, second, third);

		JsonNode empty = list("?order=asc&after=" + third);
		assertThat(ids(empty)).isEmpty();
		assertThat(empty.get("first_id").isNull()).isTrue();
		assertThat(empty.get("last_id").isNull()).isTrue();
		assertThat(empty.get("has_more").booleanValue()).isFalse();
	}

	@Test
	void listRejectsBadParameters() {
		for (String[] bad : new String[][] { { "?order=newest", "order" }, { "?limit=101", "limit" },
				{ "?limit=ten", "limit" }, { "?after=video_unknown", "after" } }) {
			JsonNode error = json(this.client.get()
				.uri("/videos" + bad[0])
				.exchange(), HttpStatus.BAD_REQUEST);
			assertThat(error.get("error").get("param").stringValue()).isEqualTo(bad[1]);
		}
	}

	@Test
	void listIsScopedToTheCallersProject() {
		createVideo("mine");
		newProject();

		assertThat(ids(list(""))).isEmpty();
	}

	@Test
	void deleteRemovesAFinishedVideoButRefusesARunningOne() {
		String running = createVideo("Still rendering");
		assertError(json(this.client.delete()
			.uri("/videos/{id}", running)
			.exchange(), HttpStatus.BAD_REQUEST), "invalid_request_error", null, null);

		this.clock.advance(Duration.ofSeconds(20));
		JsonNode deleted = json(this.client.delete()
			.uri("/videos/{id}", running)
			.exchange(), HttpStatus.OK);

		assertThat(deleted.propertyNames()).containsExactlyInAnyOrder("id", "object", "deleted");
		assertThat(deleted.get("id").stringValue()).isEqualTo(running);
		assertThat(deleted.get("object").stringValue()).isEqualTo("video.deleted");
		assertThat(deleted.get("deleted").booleanValue()).isTrue();
		this.client.get().uri("/videos/{id}", running).exchange().expectStatus().isNotFound();
		assertThat(ids(list(""))).isEmpty();
	}

	@Test
	void remixCreatesANewVideoFromACompletedOne() {
		String pending = createVideo("Not done yet");
		assertError(json(remix(pending, "{\"prompt\": \"Again\"}"), HttpStatus.BAD_REQUEST), "invalid_request_error",
				null, null);

		String source = completedVideo("A calico cat playing a piano");
		JsonNode remixed = json(remix(source, "{\"prompt\": \"The cat takes a bow\"}"), HttpStatus.OK);

		assertThat(remixed.propertyNames()).containsExactlyInAnyOrderElementsOf(VIDEO_KEYS);
		assertThat(remixed.get("id").stringValue()).isNotEqualTo(source).startsWith("video_");
		assertThat(remixed.get("remixed_from_video_id").stringValue()).isEqualTo(source);
		assertThat(remixed.get("prompt").stringValue()).isEqualTo("The cat takes a bow");
		assertThat(remixed.get("seconds").stringValue()).isEqualTo("8");
		assertThat(remixed.get("status").stringValue()).isEqualTo("queued");
		assertThat(retrieve(remixed.get("id").stringValue()).get("remixed_from_video_id").stringValue())
			.isEqualTo(source);
	}

	@Test
	void unknownVideosAndPathsAre404Envelopes() {
		for (String path : List.of("/videos/video_0000", "/videos/video_0000/content", "/videos/edits/nowhere")) {
			JsonNode error = this.client.get()
				.uri(path)
				.exchange()
				.expectStatus()
				.isNotFound()
				.expectHeader()
				.exists(SimulatorFilter.REQUEST_ID_HEADER)
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			assertError(error, "invalid_request_error", null, null);
		}
	}

	@Test
	void ledgerCountsEveryCreateIncludingDeletedVideosAndRemixes() {
		String prompt = "Ledger " + this.project;
		String source = completedVideo(prompt);
		remix(source, "{\"prompt\": \"" + prompt + "\"}").expectStatus().isOk();
		this.client.delete().uri("/videos/{id}", source).exchange().expectStatus().isOk();
		expectError(HttpStatus.BAD_REQUEST, "{\"prompt\": \"" + prompt + "\", \"seconds\": 5}");

		StepVerifier.create(this.ledger.createsIn(this.project)).expectNext(2L).verifyComplete();
		StepVerifier.create(this.ledger.createsWithPrompt(prompt)).expectNext(2L).verifyComplete();
	}

	private String completedVideo(String prompt) {
		String id = createVideo(prompt);
		this.clock.advance(Duration.ofSeconds(20));
		assertThat(retrieve(id).get("status").stringValue()).isEqualTo("completed");
		return id;
	}

	private WebTestClient.ResponseSpec remix(String id, String json) {
		return this.client.post()
			.uri("/videos/{id}/remix", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	private JsonNode list(String query) {
		return json(this.client.get()
			.uri("/videos" + query)
			.exchange(), HttpStatus.OK);
	}

	private static List<String> ids(JsonNode list) {
		List<String> ids = new ArrayList<>();
		list.get("data").forEach((video) -> ids.add(video.get("id").stringValue()));
		return ids;
	}

	private JsonNode expectError(HttpStatus status, String json) {
		return json(this.client.post()
			.uri("/videos")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange(), status);
	}

}
