package dev.reelay.provider.taskapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.WebhookDelivery;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** task-apis/modelark.yaml against BytePlus ModelArk's content generation tasks (docs/providers/byteplus-modelark.md). */
class ModelArkContractTests extends TaskApiContractTests {

	ModelArkContractTests() {
		super("modelark", new Ark(), "/api/v3");
	}

	@Override
	Map<String, String> options() {
		return Map.of("callback-url", "https://reelay.example/webhooks/modelark/s3cret");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("dreamina-seedance-2-0-260128", "A kite surfer jumps a wave at sunset", 5, "16:9",
				"720p", null, 11L);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/api/v3/contents/generations/tasks");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("dreamina-seedance-2-0-260128");
		assertThat(body.get("content")).hasSize(1);
		assertThat(body.get("content").get(0).get("type").stringValue()).isEqualTo("text");
		assertThat(body.get("content").get(0).get("text").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("ratio").stringValue()).isEqualTo("16:9");
		assertThat(body.get("resolution").stringValue()).isEqualTo("720p");
		assertThat(body.get("duration").isIntegralNumber()).isTrue();
		assertThat(body.get("duration").intValue()).isEqualTo(5);
		assertThat(body.get("seed").longValue()).isEqualTo(11);
		assertThat(body.get("callback_url").stringValue()).isEqualTo("https://reelay.example/webhooks/modelark/s3cret");
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
	void anUploadedImageGoesAsADataUriFirstFrame() {
		StepVerifier.create(provider().submit(new GenerationRequest("dreamina-seedance-2-0-260128", "The kite rises", 5,
				"adaptive", "720p", null, null, new ImageInput.Upload(new byte[] { 1, 2, 3 }, "image/png"), null)))
			.expectNextCount(1)
			.verifyComplete();
		JsonNode content = StandIn.jsonBody(this.api.creates.get(0)).get("content");
		assertThat(content).hasSize(2);
		assertThat(content.get(1).get("type").stringValue()).isEqualTo("image_url");
		assertThat(content.get(1).get("role").stringValue()).isEqualTo("first_frame");
		assertThat(content.get(1).get("image_url").get("url").stringValue()).isEqualTo("data:image/png;base64,AQID");
		assertThat(StandIn.jsonBody(this.api.creates.get(0)).has("seed")).as("no seed asked, none sent").isFalse();
	}

	@Test
	void onlyAQueuedTaskIsCancelledBecauseDeleteRemovesAFinishedOne() {
		String queued = submitted();
		StepVerifier.create(provider().cancel(queued)).expectNext(CancelOutcome.CANCELED).verifyComplete();
		assertThat(this.api.tasks.get(queued)).isEqualTo("cancelled");

		String running = submitted();
		this.api.tasks.put(running, "running");
		StepVerifier.create(provider().cancel(running)).expectNext(CancelOutcome.UNSUPPORTED).verifyComplete();
		String done = submitted();
		this.api.tasks.put(done, "succeeded");
		StepVerifier.create(provider().cancel(done)).expectNext(CancelOutcome.ALREADY_FINISHED).verifyComplete();
		assertThat(this.api.tasks).containsKey(done);
		assertThat(this.api.received).filteredOn((request) -> request.getMethod().equals("DELETE")).hasSize(1);
	}

	@Test
	void aUsedUpQuotaIsFinalThoughItComesAsA429AndAFailureKeepsArksCode() {
		this.api.next(TaskApiStandIn.json(429, "{\"error\": {\"code\": \"QuotaExceeded\", \"message\": \"The free quota "
				+ "has been used up.\", \"type\": \"TooManyRequests\"}}"));
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(((ProviderException) error).code()).isEqualTo("QuotaExceeded");
		}).verify(WAIT);

		String id = submitted();
		this.api.tasks.put(id, "failed");
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("OutputVideoSensitiveContentDetected");
			assertThat(job.error().message()).contains("may contain sensitive");
		}).verifyComplete();
	}

	@Test
	void callbacksAreHintsNamingTheTask() {
		byte[] body = ("{\"id\": \"cgt-20260514183217-t8rzv\", \"model\": \"dreamina-seedance-2-0-260128\", "
				+ "\"status\": \"succeeded\", \"content\": {\"video_url\": \"https://x/v.mp4\"}}").getBytes();
		StepVerifier.create(webhooks().verify(new WebhookDelivery(new HttpHeaders(), body)))
			.assertNext((notice) -> {
				assertThat(notice.remoteId()).isEqualTo("cgt-20260514183217-t8rzv");
				assertThat(notice.deliveryId()).isEqualTo("cgt-20260514183217-t8rzv.succeeded");
			})
			.verifyComplete();
		StepVerifier.create(webhooks(this.api.url("/api/v3"), Map.of())
			.verify(new WebhookDelivery(new HttpHeaders(), body))).expectError().verify(WAIT);
		assertThat(this.api.received).as("nothing is fetched while checking a callback").isEmpty();
	}

	/** ModelArk: Bearer key; no envelope; errors as {@code {"error": {code, message, type}}}. */
	static final class Ark extends TaskApiStandIn {

		@Override
		String idPrefix() {
			return "cgt-20261207-";
		}

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			String method = request.getMethod();
			if (method.equals("POST") && path.equals("/api/v3/contents/generations/tasks")) {
				JsonNode body = StandIn.jsonBody(request);
				expectFields(body, "create", List.of("model", "content", "callback_url", "return_last_frame",
						"resolution", "ratio", "duration", "frames", "seed", "camera_fixed", "watermark",
						"generate_audio", "draft", "service_tier", "execution_expires_after", "priority", "tools",
						"safety_identifier"));
				if (!body.path("content").isArray() || !body.path("content").get(0).path("type").asString().equals("text")) {
					return error(400);
				}
				return json("{\"id\": \"" + accept(request, "queued") + "\"}");
			}
			if (!path.startsWith("/api/v3/contents/generations/tasks/")) {
				return notFound();
			}
			String id = path.substring("/api/v3/contents/generations/tasks/".length());
			String state = this.tasks.get(id);
			if (state == null) {
				return json(404, "{\"error\": {\"code\": \"NotFound.TaskId\", \"message\": \"The specified task "
						+ "does not exist.\", \"type\": \"NotFound\"}}");
			}
			if (method.equals("DELETE")) {
				if (!state.equals("queued")) {
					this.violations.add("DELETE of a " + state + " task (a running one fails, a finished one is deleted)");
					return error(400);
				}
				this.tasks.put(id, "cancelled");
				return json("{}");
			}
			return json(task(id, state));
		}

		String task(String id, String state) {
			String content = state.equals("succeeded")
					? "{\"video_url\": \"" + url("/cdn/" + id + ".mp4?X-Tos-Signature=abc") + "\"}" : "null";
			String error = state.equals("failed") ? "{\"code\": \"OutputVideoSensitiveContentDetected\", \"message\": "
					+ "\"The generated video may contain sensitive information.\"}"
					: state.equals("expired") ? "{\"code\": \"TaskExpired\", \"message\": \"not done in time\"}" : "null";
			return "{\"id\": \"" + id + "\", \"model\": \"dreamina-seedance-2-0-260128\", \"status\": \"" + state
					+ "\", \"content\": " + content + ", \"usage\": {\"completion_tokens\": 246840, \"total_tokens\": "
					+ "246840}, \"created_at\": 1778754737, \"updated_at\": 1778754821, \"seed\": 11, \"resolution\": "
					+ "\"720p\", \"ratio\": \"16:9\", \"duration\": 5, \"framespersecond\": 24, \"error\": " + error + "}";
		}

		@Override
		MockResponse error(int status) {
			String[] shape = switch (status) {
				case 400 -> new String[] { "InvalidParameter", "BadRequest" };
				case 401 -> new String[] { "AuthenticationError", "Unauthorized" };
				case 403 -> new String[] { "AccessDenied", "Forbidden" };
				case 429 -> new String[] { "RateLimitExceeded.EndpointRPMExceeded", "TooManyRequests" };
				default -> new String[] { "InternalServiceError", "InternalServerError" };
			};
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.setHeader("X-Request-Id", "req-1")
				.body("{\"error\": {\"code\": \"" + shape[0] + "\", \"message\": \"Refused by the stand-in. Request ID: "
						+ "req-1\", \"type\": \"" + shape[1] + "\"}}");
			if (status == 429) {
				response.setHeader("Retry-After", "2");
			}
			return response.build();
		}

	}

}
