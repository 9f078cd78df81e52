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

/** task-apis/dashscope.yaml against DashScope's Wan video synthesis (docs/providers/dashscope-wan.md). */
class DashScopeContractTests extends TaskApiContractTests {

	DashScopeContractTests() {
		super("dashscope", new DashScope(), "/api/v1");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("wan2.7-t2v", "Shot 1 [0-3 s]: wide shot of a rainy street at night", 10, "16:9",
				"1080p", "blurry, low quality", 12345L);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/api/v1/services/aigc/video-generation/video-synthesis");
		assertThat(create.getHeaders().get("X-DashScope-Async")).isEqualTo("enable");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("wan2.7-t2v");
		assertThat(body.get("input").get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("input").get("negative_prompt").stringValue()).isEqualTo("blurry, low quality");
		assertThat(body.get("input").has("media")).isFalse();
		JsonNode parameters = body.get("parameters");
		// wan2.7's dialect: resolution with a capital P, and a ratio; never the older size "1920*1080".
		assertThat(parameters.get("resolution").stringValue()).isEqualTo("1080P");
		assertThat(parameters.get("ratio").stringValue()).isEqualTo("16:9");
		assertThat(parameters.get("duration").intValue()).isEqualTo(10);
		assertThat(parameters.get("seed").longValue()).isEqualTo(12345);
		assertThat(parameters.has("size")).isFalse();
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("PENDING"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("RUNNING"));
		words.put(RemoteStatus.COMPLETED, List.of("SUCCEEDED"));
		words.put(RemoteStatus.FAILED, List.of("FAILED", "UNKNOWN"));
		words.put(RemoteStatus.CANCELED, List.of("CANCELED"));
		return words;
	}

	@Override
	String undocumentedWord() {
		return "SUSPENDED";
	}

	@Test
	void theAsyncHeaderGoesOnCreatesOnlyAndAnImageUrlIsTheFirstFrame() {
		StepVerifier.create(provider().submit(new GenerationRequest("wan2.7-i2v", "The kite rises slowly", 5, "16:9",
				"720p", null, null, new ImageInput.Url("https://example.com/first.png"), null)))
			.assertNext((job) -> assertThat(job.remoteId()).isNotBlank())
			.verifyComplete();
		JsonNode media = StandIn.jsonBody(this.api.creates.get(0)).get("input").get("media");
		assertThat(media).hasSize(1);
		assertThat(media.get(0).get("type").stringValue()).isEqualTo("first_frame");
		assertThat(media.get(0).get("url").stringValue()).isEqualTo("https://example.com/first.png");
		String id = this.api.tasks.keySet().iterator().next();
		provider().status(id).block(WAIT);
		RecordedRequest poll = this.api.received.get(1);
		assertThat(poll.getTarget()).isEqualTo("/api/v1/tasks/" + id);
		assertThat(poll.getHeaders().get("X-DashScope-Async")).isNull();
	}

	@Test
	void anUploadedImageIsRefusedBeforeAnyCallAsWanFetchesUrls() {
		StepVerifier.create(provider().submit(new GenerationRequest("wan2.7-i2v", "x", 5, "16:9", "720p", null, null,
				new ImageInput.Upload(new byte[] { 1 }, "image/png"), null)))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.PERMANENT))
			.verify(WAIT);
		assertThat(this.api.received).isEmpty();
	}

	@Test
	void onlyAPendingTaskIsCancelledAndFailuresKeepDashScopesCode() {
		String pending = submitted();
		StepVerifier.create(provider().cancel(pending)).expectNext(CancelOutcome.CANCELED).verifyComplete();
		assertThat(this.api.tasks.get(pending)).isEqualTo("CANCELED");
		String running = submitted();
		this.api.tasks.put(running, "RUNNING");
		StepVerifier.create(provider().cancel(running)).expectNext(CancelOutcome.UNSUPPORTED).verifyComplete();

		this.api.tasks.put(running, "FAILED");
		StepVerifier.create(provider().status(running)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("DataInspectionFailed");
			assertThat(job.error().message()).contains("inappropriate content");
		}).verifyComplete();
	}

	@Test
	void freeQuotaExhaustionIsFinalWhileThrottlingWaits() {
		this.api.next(TaskApiStandIn.json(429, "{\"request_id\": \"r\", \"code\": \"Throttling.AllocationQuota\", "
				+ "\"message\": \"Free allocated quota exceeded.\"}"));
		StepVerifier.create(provider().submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.PERMANENT))
			.verify(WAIT);
		willFail(429);
		StepVerifier.create(provider().submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RATE_LIMITED))
			.verify(WAIT);
	}

	@Test
	void thereAreNoCallbacks() {
		StepVerifier.create(webhooks().verify(new WebhookDelivery(new HttpHeaders(), "{}".getBytes())))
			.expectError()
			.verify(WAIT);
	}

	/** DashScope: Bearer key, the async header on creates, the request_id/output envelope, errors as code + message. */
	static final class DashScope extends TaskApiStandIn {

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (request.getMethod().equals("POST") && path.equals("/api/v1/services/aigc/video-generation/video-synthesis")) {
				if (!"enable".equals(request.getHeaders().get("X-DashScope-Async"))) {
					this.violations.add("create without X-DashScope-Async: enable");
					return json(400, "{\"request_id\": \"r\", \"code\": \"InvalidParameter\", \"message\": \"current "
							+ "user api does not support synchronous calls\"}");
				}
				JsonNode body = StandIn.jsonBody(request);
				expectFields(body, "create", List.of("model", "input", "parameters"));
				expectFields(body.path("input"), "create input", List.of("prompt", "negative_prompt", "audio_url",
						"media"));
				expectFields(body.path("parameters"), "create parameters", List.of("resolution", "ratio", "duration",
						"prompt_extend", "watermark", "seed"));
				return json("{\"request_id\": \"4909100c\", \"output\": {\"task_id\": \"" + accept(request, "PENDING")
						+ "\", \"task_status\": \"PENDING\"}}");
			}
			if (!path.startsWith("/api/v1/tasks/")) {
				return notFound();
			}
			String rest = path.substring("/api/v1/tasks/".length());
			if (request.getMethod().equals("POST") && rest.endsWith("/cancel")) {
				String id = rest.substring(0, rest.length() - "/cancel".length());
				if (!"PENDING".equals(this.tasks.get(id))) {
					this.violations.add("cancel of a task that is not PENDING");
					return json(400, "{\"request_id\": \"r\", \"code\": \"UnsupportedOperation\", \"message\": "
							+ "\"only PENDING tasks can be canceled\"}");
				}
				this.tasks.put(id, "CANCELED");
				return json("{\"request_id\": \"r\"}");
			}
			// An unknown or expired task answers UNKNOWN, not 404.
			String state = this.tasks.getOrDefault(rest, "UNKNOWN");
			String extra = switch (state) {
				case "SUCCEEDED" -> ", \"video_url\": \"" + url("/cdn/" + rest + ".mp4?Expires=1") + "\"";
				case "FAILED" -> ", \"code\": \"DataInspectionFailed\", \"message\": \"Output data may contain "
						+ "inappropriate content.\"";
				default -> "";
			};
			return json("{\"request_id\": \"c1209113\", \"output\": {\"task_id\": \"" + rest + "\", \"task_status\": \""
					+ state + "\", \"submit_time\": \"2026-12-07 21:36:31.896\"" + extra + "}, \"usage\": {\"duration\": "
					+ "10, \"video_count\": 1}}");
		}

		@Override
		MockResponse error(int status) {
			String code = switch (status) {
				case 400 -> "InvalidParameter";
				case 401 -> "InvalidApiKey";
				case 403 -> "AccessDenied";
				case 429 -> "Throttling.RateQuota";
				default -> "InternalError";
			};
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"request_id\": \"r-1\", \"code\": \"" + code + "\", \"message\": \"Refused by the stand-in.\"}");
			if (status == 429) {
				response.setHeader("Retry-After", "3");
			}
			return response.build();
		}

	}

}
