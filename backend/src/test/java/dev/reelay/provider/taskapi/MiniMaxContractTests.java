package dev.reelay.provider.taskapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

/** task-apis/minimax.yaml against MiniMax's V2 video API for MiniMax-H3 (docs/providers/minimax-video.md). */
class MiniMaxContractTests extends TaskApiContractTests {

	MiniMaxContractTests() {
		super("minimax", new MiniMaxV2(), "");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("MiniMax-H3", "A white kitten chases a butterfly across a sunlit garden.", 6, "16:9",
				"768p", null, null);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v2/video_generation");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("MiniMax-H3");
		assertThat(body.get("content")).hasSize(1);
		assertThat(body.get("content").get(0).get("text").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("resolution").stringValue()).isEqualTo("768P");
		assertThat(body.get("duration").intValue()).isEqualTo(6);
		assertThat(body.get("ratio").stringValue()).isEqualTo("16:9");
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("queued"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("running"));
		words.put(RemoteStatus.COMPLETED, List.of("succeeded"));
		words.put(RemoteStatus.FAILED, List.of("failed", "expired"));
		words.put(RemoteStatus.CANCELED, List.of("cancelled"));
		return words;
	}

	@Test
	void anUploadedImageIsADataUriFirstFrameAndFailuresKeepTheTaskError() {
		StepVerifier.create(provider().submit(new GenerationRequest("MiniMax-H3", "The kitten leaps", 6, "16:9", "768p",
				null, null, new ImageInput.Upload(new byte[] { 9 }, "image/jpeg"), null)))
			.expectNextCount(1)
			.verifyComplete();
		JsonNode image = StandIn.jsonBody(this.api.creates.get(0)).get("content").get(1);
		assertThat(image.get("role").stringValue()).isEqualTo("first_frame");
		assertThat(image.get("image_url").get("url").stringValue()).isEqualTo("data:image/jpeg;base64,CQ==");

		String id = this.api.tasks.keySet().iterator().next();
		this.api.tasks.put(id, "failed");
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("1027");
			assertThat(job.error().message()).contains("sensitive");
		}).verifyComplete();
	}

	/** MiniMax V2: Bearer key, {@code {task_id}} on create, {@code {task}} on query, V2 error bodies. */
	static final class MiniMaxV2 extends TaskApiStandIn {

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (request.getMethod().equals("POST") && path.equals("/v2/video_generation")) {
				JsonNode body = StandIn.jsonBody(request);
				expectFields(body, "create", List.of("model", "content", "resolution", "duration", "ratio",
						"generate_audio", "aigc_watermark", "callback_url"));
				long texts = body.path("content").valueStream()
					.filter((item) -> item.path("type").asString().equals("text"))
					.count();
				if (texts != 1) {
					this.violations.add("create content must hold exactly one text item, has " + texts);
					return error(400);
				}
				return json("{\"task_id\": \"" + accept(request, "queued") + "\"}");
			}
			if (request.getMethod().equals("GET") && path.startsWith("/v2/query/video_generation/")) {
				String id = path.substring("/v2/query/video_generation/".length());
				String state = this.tasks.get(id);
				if (state == null) {
					return error(400);
				}
				String content = state.equals("succeeded") ? "{\"url\": \"" + url("/cdn/" + id + ".mp4?sig=1") + "\"}"
						: "null";
				String error = state.equals("failed")
						? "{\"code\": 1027, \"message\": \"output contains sensitive content\"}" : "null";
				return json("{\"task\": {\"id\": \"" + id + "\", \"model\": \"MiniMax-H3\", \"type\": \"video_generation\", "
						+ "\"status\": \"" + state + "\", \"content\": " + content + ", \"duration\": 6, \"usage\": "
						+ "{\"total_seconds\": 6, \"input_seconds\": 0, \"output_seconds\": 6}, \"error\": " + error + "}}");
			}
			return notFound();
		}

		@Override
		MockResponse error(int status) {
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"type\": \"error\", \"error\": {\"type\": \"" + ((status == 429) ? "rate_limit_error"
						: "invalid_request_error") + "\", \"message\": \"Refused by the stand-in\", \"http_code\": "
						+ status + "}, \"request_id\": \"r-1\"}");
			if (status == 429) {
				response.setHeader("Retry-After", "10");
			}
			return response.build();
		}

	}

}
