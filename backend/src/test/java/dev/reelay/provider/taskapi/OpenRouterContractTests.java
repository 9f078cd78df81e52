package dev.reelay.provider.taskapi;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.signing.Signatures;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** task-apis/openrouter.yaml against OpenRouter's video API (docs/providers/openrouter-video.md). */
class OpenRouterContractTests extends TaskApiContractTests {

	OpenRouterContractTests() {
		super("openrouter", new OpenRouter(), "/api/v1");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("google/veo-3.1", "A time-lapse of a flower blooming", 8, "16:9", "1080p", null,
				42L);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/api/v1/videos");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model").stringValue()).isEqualTo("google/veo-3.1");
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("duration").intValue()).isEqualTo(8);
		assertThat(body.get("resolution").stringValue()).isEqualTo("1080p");
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("16:9");
		assertThat(body.get("seed").longValue()).isEqualTo(42);
		assertThat(body.has("frame_images")).isFalse();
		assertThat(body.has("callback_url")).isFalse();
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("pending"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("in_progress"));
		words.put(RemoteStatus.COMPLETED, List.of("completed"));
		words.put(RemoteStatus.FAILED, List.of("failed", "expired"));
		words.put(RemoteStatus.CANCELED, List.of("cancelled"));
		return words;
	}

	@Test
	void theRelativePollingUrlIsFollowedAndTheContentFetchedWithTheKey() {
		String id = submitted();
		willServeVideo(id);
		provider().content(id).flatMap((content) -> content.body().then()).block(WAIT);
		List<RecordedRequest> after = this.api.received.subList(1, this.api.received.size());
		// The stand-in answers a polling_url under /api/v1/jobs/, not the documented /videos/{id}: it was followed.
		assertThat(after.get(0).getUrl().encodedPath()).isEqualTo("/api/v1/jobs/" + id);
		assertThat(after.get(1).getTarget()).isEqualTo("/api/v1/videos/" + id + "/content?index=0");
		assertThat(after.get(1).getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
	}

	@Test
	void aPollingUrlOnAnotherHostIsNotFollowedWithTheKey() {
		((OpenRouter) this.api).pollingHost = "https://elsewhere.example";
		String id = submitted();
		provider().status(id).block(WAIT);
		assertThat(this.api.received.get(1).getUrl().encodedPath()).isEqualTo("/api/v1/videos/" + id);
	}

	@Test
	void anImageGoesAsAFirstFrameAndAFailureKeepsTheErrorString() {
		StepVerifier.create(provider().submit(new GenerationRequest("google/veo-3.1", "Bloom", 8, "16:9", "720p", null,
				null, new ImageInput.Url("https://example.com/first.png"), null)))
			.expectNextCount(1)
			.verifyComplete();
		JsonNode frame = StandIn.jsonBody(this.api.creates.get(0)).get("frame_images").get(0);
		assertThat(frame.get("type").stringValue()).isEqualTo("image_url");
		assertThat(frame.get("frame_type").stringValue()).isEqualTo("first_frame");
		assertThat(frame.get("image_url").get("url").stringValue()).isEqualTo("https://example.com/first.png");
		String id = this.api.tasks.keySet().iterator().next();
		this.api.tasks.put(id, "failed");
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("openrouter_failed");
			assertThat(job.error().message()).contains("Content policy violation");
		}).verifyComplete();
	}

	@Test
	void webhooksAreVerifiedWithOpenRoutersHmacOverTimestampCommaBody() {
		byte[] body = ("{\"type\": \"video.generation.completed\", \"created_at\": \"2026-04-24T12:00:00.000Z\", "
				+ "\"data\": {\"id\": \"abc123\", \"status\": \"completed\", \"generation_id\": \"gen-xyz789\"}}")
			.getBytes(StandardCharsets.UTF_8);
		long now = Instant.now().getEpochSecond();
		StepVerifier.create(webhooks().verify(signed(body, now, "whsec-test")))
			.assertNext((notice) -> {
				assertThat(notice.remoteId()).isEqualTo("abc123");
				assertThat(notice.deliveryId()).isEqualTo("abc123-completed");
			})
			.verifyComplete();
		expectRejected(signed(body, now, "another-secret"), WebhookRejectedException.Reason.UNVERIFIED);
		expectRejected(signed(body, now - 600, "whsec-test"), WebhookRejectedException.Reason.STALE);
		byte[] altered = new String(body, StandardCharsets.UTF_8).replace("abc123", "abc124").getBytes();
		WebhookDelivery tampered = signed(body, now, "whsec-test");
		expectRejected(new WebhookDelivery(tampered.headers(), altered), WebhookRejectedException.Reason.UNVERIFIED);
		expectRejected(new WebhookDelivery(new HttpHeaders(), body), WebhookRejectedException.Reason.UNVERIFIED);
		assertThat(this.api.received).isEmpty();
	}

	private void expectRejected(WebhookDelivery delivery, WebhookRejectedException.Reason reason) {
		StepVerifier.create(webhooks().verify(delivery))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason()).isEqualTo(reason))
			.verify(WAIT);
	}

	/** As OpenRouter's cookbook test sender signs: hex HMAC-SHA256 of "t,body". */
	static WebhookDelivery signed(byte[] body, long timestamp, String secret) {
		String signature = HexFormat.of().formatHex(Signatures.hmacSha256(secret.getBytes(StandardCharsets.UTF_8),
				(timestamp + "," + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-OpenRouter-Signature", "t=" + timestamp + ",v1=" + signature);
		headers.set("X-OpenRouter-Idempotency-Key", "abc123-completed");
		return new WebhookDelivery(headers, body);
	}

	/** OpenRouter: Bearer key everywhere (content included), a 202 job answer, {@code {"error": {code, message}}}. */
	static final class OpenRouter extends TaskApiStandIn {

		@Nullable String pollingHost;

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			return bearer(request).equals("test-key") ? null : "no Bearer key";
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (request.getMethod().equals("POST") && path.equals("/api/v1/videos")) {
				expectFields(StandIn.jsonBody(request), "create", List.of("model", "prompt", "duration", "resolution",
						"aspect_ratio", "size", "frame_images", "input_references", "generate_audio", "seed",
						"callback_url", "provider"));
				String id = accept(request, "pending");
				String polling = (this.pollingHost != null) ? this.pollingHost + "/api/v1/jobs/" + id : "/api/v1/jobs/" + id;
				return json(202, "{\"id\": \"" + id + "\", \"polling_url\": \"" + polling + "\", \"status\": \"pending\"}");
			}
			if (request.getMethod().equals("GET") && (path.startsWith("/api/v1/jobs/") || path.startsWith("/api/v1/videos/"))) {
				String rest = path.substring(path.indexOf('/', "/api/v1/".length()) + 1);
				if (rest.endsWith("/content")) {
					String id = rest.substring(0, rest.length() - "/content".length());
					return "completed".equals(this.tasks.get(id)) ? video()
							: json(400, "{\"error\": {\"code\": 400, \"message\": \"Video is not ready\"}}");
				}
				String state = this.tasks.get(rest);
				if (state == null) {
					return error(404);
				}
				String extra = switch (state) {
					case "completed" -> ", \"generation_id\": \"gen-1\", \"unsigned_urls\": [\""
							+ url("/api/v1/videos/" + rest + "/content?index=0") + "\"], \"usage\": {\"cost\": 0.25, "
							+ "\"is_byok\": false}";
					case "failed" -> ", \"error\": \"Content policy violation\"";
					case "cancelled" -> ", \"error\": \"Job was cancelled\"";
					case "expired" -> ", \"error\": \"Job expired\"";
					default -> "";
				};
				return json("{\"id\": \"" + rest + "\", \"polling_url\": \"/api/v1/jobs/" + rest + "\", \"status\": \""
						+ state + "\"" + extra + "}");
			}
			return notFound();
		}

		@Override
		MockResponse error(int status) {
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"error\": {\"code\": " + status + ", \"message\": \"Refused by the stand-in\", \"metadata\": "
						+ "{\"error_type\": \"" + ((status == 429) ? "rate_limit_exceeded" : "other") + "\"}}}");
			if (status == 429) {
				response.setHeader("Retry-After", "4");
			}
			return response.build();
		}

	}

}
