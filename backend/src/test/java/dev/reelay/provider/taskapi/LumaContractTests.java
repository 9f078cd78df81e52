package dev.reelay.provider.taskapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** task-apis/luma.yaml against Luma's Agents API for ray-3.2 (docs/providers/luma.md). */
class LumaContractTests extends TaskApiContractTests {

	LumaContractTests() {
		super("luma", new Luma(), "/v1");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("ray-3.2", "A paper boat drifts down a rain gutter, macro lens", 5, "16:9", "1080p",
				null, null);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/generations");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("ray-3.2");
		assertThat(body.get("type").stringValue()).isEqualTo("video");
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("16:9");
		// Durations are strings with a unit.
		assertThat(body.get("video").get("duration").stringValue()).isEqualTo("5s");
		assertThat(body.get("video").get("resolution").stringValue()).isEqualTo("1080p");
		assertThat(body.get("video").has("start_frame")).isFalse();
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("queued"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("processing"));
		words.put(RemoteStatus.COMPLETED, List.of("completed"));
		words.put(RemoteStatus.FAILED, List.of("failed"));
		return words;
	}

	@Test
	void anImageUrlIsTheStartFrameAndThereIsNoCancel() {
		StepVerifier.create(provider().submit(new GenerationRequest("ray-3.2", "It drifts on", 10, "16:9", "720p", null,
				null, new ImageInput.Url("https://example.com/first.jpg"), null)))
			.expectNextCount(1)
			.verifyComplete();
		JsonNode video = StandIn.jsonBody(this.api.creates.get(0)).get("video");
		assertThat(video.get("start_frame").get("url").stringValue()).isEqualTo("https://example.com/first.jpg");
		assertThat(video.get("duration").stringValue()).isEqualTo("10s");
		StepVerifier.create(provider().cancel("anything")).expectNext(CancelOutcome.UNSUPPORTED).verifyComplete();
	}

	@Test
	void aFailureKeepsLumasCodeAndReason() {
		String id = submitted();
		this.api.tasks.put(id, "failed");
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("content_moderated");
			assertThat(job.error().message()).contains("flagged by moderation");
		}).verifyComplete();
	}

	/** Luma Agents: Bearer key, resource JSON, errors as {@code {"detail": ...}} (shape unconfirmed). */
	static final class Luma extends TaskApiStandIn {

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (request.getMethod().equals("POST") && path.equals("/v1/generations")) {
				JsonNode body = StandIn.jsonBody(request);
				expectFields(body, "create", List.of("model", "type", "prompt", "aspect_ratio", "source", "video",
						"user_id", "web_search"));
				expectFields(body.path("video"), "create video", List.of("duration", "resolution", "start_frame",
						"end_frame", "loop", "hdr", "exr_export"));
				if (!body.path("prompt").isString()) {
					return error(400);
				}
				String id = accept(request, "queued");
				return json(201, generation(id, "queued"));
			}
			if (request.getMethod().equals("GET") && path.startsWith("/v1/generations/")) {
				String id = path.substring("/v1/generations/".length());
				String state = this.tasks.get(id);
				return (state != null) ? json(generation(id, state)) : json(404, "{\"detail\": \"Generation not found\"}");
			}
			return notFound();
		}

		String generation(String id, String state) {
			String output = state.equals("completed") ? "[{\"type\": \"video\", \"url\": \"" + url("/cdn/" + id + ".mp4")
					+ "\"}]" : "[]";
			boolean failed = state.equals("failed");
			return "{\"id\": \"" + id + "\", \"created_at\": \"2026-12-07T10:00:00Z\", \"model\": \"ray-3.2\", \"type\": "
					+ "\"video\", \"state\": \"" + state + "\", \"failure_code\": "
					+ (failed ? "\"content_moderated\"" : "null") + ", \"failure_reason\": "
					+ (failed ? "\"The prompt was flagged by moderation\"" : "null") + ", \"output\": " + output + "}";
		}

		@Override
		MockResponse error(int status) {
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"detail\": \"Refused by the stand-in (" + status + ")\"}");
			if (status == 429) {
				response.setHeader("Retry-After", "1");
			}
			return response.build();
		}

	}

}
