package dev.reelay.provider.taskapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * task-apis/minimax-v1.yaml against MiniMax's V1 video API for Hailuo (docs/providers/minimax-video.md): errors in
 * HTTP 200 bodies, and the video found through a second "resolve file" call.
 */
class MiniMaxV1ContractTests extends TaskApiContractTests {

	MiniMaxV1ContractTests() {
		super("minimax-v1", new MiniMaxV1(), "");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("MiniMax-Hailuo-2.3", "A man picks up a book [Pedestal up]", 6, "16:9", "1080p",
				null, null);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/video_generation");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("MiniMax-Hailuo-2.3");
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("duration").intValue()).isEqualTo(6);
		assertThat(body.get("resolution").stringValue()).isEqualTo("1080P");
		assertThat(body.has("first_frame_image")).isFalse();
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("Preparing", "Queueing"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("Processing"));
		words.put(RemoteStatus.COMPLETED, List.of("Success"));
		words.put(RemoteStatus.FAILED, List.of("Fail"));
		return words;
	}

	@Override
	String acceptedWithoutId() {
		return "{\"base_resp\": {\"status_code\": 0, \"status_msg\": \"success\"}}";
	}

	@Test
	void theVideoIsFoundThroughTheFileItNames() {
		String id = submitted();
		willServeVideo(id);
		provider().content(id).flatMap((content) -> content.body().then()).block(WAIT);
		List<String> targets = this.api.received.stream().map(RecordedRequest::getTarget).toList();
		assertThat(targets).containsSubsequence("/v1/query/video_generation?task_id=" + id,
				"/v1/files/retrieve?file_id=" + MiniMaxV1.fileOf(id), "/cdn/" + id + ".mp4");
	}

	@Test
	void errorsInsideHttp200AreClassifiedByBaseResp() {
		expectKind(1002, ProviderException.Kind.RATE_LIMITED, "rate_limited");
		expectKind(1024, ProviderException.Kind.RETRYABLE, "provider_error");
		expectKind(1004, ProviderException.Kind.PERMANENT, "minimax-v1_1004");
		expectKind(1026, ProviderException.Kind.PERMANENT, "minimax-v1_1026");
		expectKind(2013, ProviderException.Kind.PERMANENT, "minimax-v1_2013");
	}

	private void expectKind(int code, ProviderException.Kind kind, String reason) {
		this.api.next(TaskApiStandIn.json("{\"task_id\": \"\", \"base_resp\": {\"status_code\": " + code
				+ ", \"status_msg\": \"refused by the stand-in\"}}"));
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(kind);
			assertThat(((ProviderException) error).code()).isEqualTo(reason);
			assertThat(error.getMessage()).contains(Integer.toString(code));
		}).verify(WAIT);
	}

	/** MiniMax V1: Bearer key, flat fields with base_resp, Capitalised states, and a file id to resolve. */
	static final class MiniMaxV1 extends TaskApiStandIn {

		static String fileOf(String taskId) {
			return "2052585" + taskId.replaceAll("\\D", "");
		}

		@Override
		String idPrefix() {
			return "1069161122";
		}

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (request.getMethod().equals("POST") && path.equals("/v1/video_generation")) {
				expectFields(StandIn.jsonBody(request), "create", List.of("model", "prompt", "prompt_optimizer",
						"fast_pretreatment", "duration", "resolution", "first_frame_image", "last_frame_image",
						"subject_reference", "callback_url", "aigc_watermark"));
				return json("{\"task_id\": \"" + accept(request, "Queueing") + "\", \"base_resp\": {\"status_code\": 0, "
						+ "\"status_msg\": \"success\"}}");
			}
			if (path.equals("/v1/query/video_generation")) {
				String id = request.getUrl().queryParameter("task_id");
				String state = this.tasks.get(id);
				if (state == null) {
					return json("{\"base_resp\": {\"status_code\": 2013, \"status_msg\": \"invalid task_id\"}}");
				}
				String file = state.equals("Success") ? fileOf(id) : "";
				return json("{\"task_id\": \"" + id + "\", \"status\": \"" + state + "\", \"file_id\": \"" + file
						+ "\", \"video_width\": 1920, \"video_height\": 1080, \"base_resp\": {\"status_code\": 0, "
						+ "\"status_msg\": \"success\"}}");
			}
			if (path.equals("/v1/files/retrieve")) {
				String file = request.getUrl().queryParameter("file_id");
				String task = this.tasks.keySet().stream().filter((id) -> fileOf(id).equals(file)).findFirst().orElse(null);
				if (task == null) {
					return json("{\"base_resp\": {\"status_code\": 1004, \"status_msg\": \"file not found\"}}");
				}
				// A number here, where the query answer gave a string.
				return json("{\"file\": {\"file_id\": " + file + ", \"bytes\": 96, \"created_at\": 1700469398, "
						+ "\"filename\": \"output_aigc.mp4\", \"purpose\": \"video_generation\", \"download_url\": \""
						+ url("/cdn/" + task + ".mp4") + "\"}, \"base_resp\": {\"status_code\": 0, \"status_msg\": "
						+ "\"success\"}}");
			}
			return notFound();
		}

		@Override
		MockResponse error(int status) {
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"base_resp\": {\"status_code\": " + ((status == 429) ? 1002 : 1000)
						+ ", \"status_msg\": \"refused by the stand-in\"}}");
			if (status == 429) {
				response.setHeader("Retry-After", "10");
			}
			return response.build();
		}

	}

}
