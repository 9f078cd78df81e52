package dev.reelay.provider.taskapi;

import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
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
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** task-apis/kling.yaml against Kling's own API (docs/providers/kling.md): a JWT per call, codes in the body. */
class KlingContractTests extends TaskApiContractTests {

	static final String SECRET = "kling-secret-key-for-the-stand-in-0123456789";

	KlingContractTests() {
		super("kling", new Kling(), "");
	}

	@Override
	MockEnvironment environment() {
		return new MockEnvironment().withProperty("KLING_SECRET_KEY", SECRET);
	}

	@Override
	Map<String, String> options() {
		return Map.of("callback-url", "https://reelay.example/webhooks/kling/s3cret");
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("kling-v2-5-turbo", "A red fox trots through fresh snow at dawn", 10, "9:16",
				"1080p", "blurry, text", null);
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/videos/text2video");
		JsonNode body = StandIn.jsonBody(create);
		assertThat(body.get("model_name").stringValue()).isEqualTo("kling-v2-5-turbo");
		assertThat(body.get("prompt").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("negative_prompt").stringValue()).isEqualTo("blurry, text");
		assertThat(body.get("aspect_ratio").stringValue()).isEqualTo("9:16");
		// A string, not a number.
		assertThat(body.get("duration").isString()).isTrue();
		assertThat(body.get("duration").stringValue()).isEqualTo("10");
		assertThat(body.get("callback_url").stringValue()).isEqualTo("https://reelay.example/webhooks/kling/s3cret");
	}

	@Override
	Map<RemoteStatus, List<String>> words() {
		Map<RemoteStatus, List<String>> words = new LinkedHashMap<>();
		words.put(RemoteStatus.QUEUED, List.of("submitted"));
		words.put(RemoteStatus.IN_PROGRESS, List.of("processing"));
		words.put(RemoteStatus.COMPLETED, List.of("succeed"));
		words.put(RemoteStatus.FAILED, List.of("failed"));
		return words;
	}

	@Override
	String taskId(String remoteId) {
		return remoteId.substring(remoteId.indexOf(':') + 1);
	}

	@Override
	String acceptedWithoutId() {
		return "{\"code\": 0, \"message\": \"SUCCEED\", \"request_id\": \"r\", \"data\": {}}";
	}

	@Test
	void everyCallCarriesAFreshJwtFromTheAccessKeyAndSecret() throws Exception {
		String id = submitted();
		provider().status(id).block(WAIT);
		assertThat(this.api.received).hasSize(2);
		for (RecordedRequest request : this.api.received) {
			SignedJWT token = SignedJWT.parse(TaskApiStandIn.bearer(request));
			assertThat(token.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
			assertThat(token.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
			long exp = token.getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond();
			long nbf = token.getJWTClaimsSet().getNotBeforeTime().toInstant().getEpochSecond();
			assertThat(exp - nbf).isEqualTo(1800 + 5);
		}
	}

	@Test
	void anImageJobIsCreatedAndReadUnderImage2Video() {
		String remoteId = provider().submit(new GenerationRequest("kling-v2-5-turbo", "Person walking", 5, "16:9",
				"1080p", null, null, new ImageInput.Upload(new byte[] { 1, 2, 3 }, "image/png"), null))
			.block(WAIT)
			.remoteId();
		assertThat(remoteId).startsWith("image2video:");
		this.api.tasks.put(taskId(remoteId), "succeed");
		StepVerifier.create(provider().status(remoteId))
			.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.COMPLETED))
			.verifyComplete();
		RecordedRequest create = this.api.creates.get(0);
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/videos/image2video");
		JsonNode body = StandIn.jsonBody(create);
		// Base64 without a data: prefix.
		assertThat(body.get("image").stringValue()).isEqualTo("AQID");
		assertThat(body.has("aspect_ratio")).isFalse();
		assertThat(this.api.received.get(1).getUrl().encodedPath()).startsWith("/v1/videos/image2video/");
	}

	@Test
	void bodyCodesDecideAndAccountProblemsAreFinalThoughTheyComeAs429() {
		this.api.next(TaskApiStandIn.json("{\"code\": 1303, \"message\": \"parallel task over resource pack limit\", "
				+ "\"request_id\": \"r\"}"));
		expectKind(ProviderException.Kind.RATE_LIMITED);
		this.api.next(TaskApiStandIn.json("{\"code\": 1301, \"message\": \"content security policy triggered\", "
				+ "\"request_id\": \"r\"}"));
		expectKind(ProviderException.Kind.PERMANENT);
		this.api.next(TaskApiStandIn.json(429, "{\"code\": 1102, \"message\": \"resource pack depleted\", "
				+ "\"request_id\": \"r\"}"));
		expectKind(ProviderException.Kind.PERMANENT);
		this.api.next(TaskApiStandIn.json(429, "{\"code\": 1302, \"message\": \"request rate too high\", "
				+ "\"request_id\": \"r\"}"));
		expectKind(ProviderException.Kind.RATE_LIMITED);
	}

	private void expectKind(ProviderException.Kind kind) {
		StepVerifier.create(provider().submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind()).isEqualTo(kind))
			.verify(WAIT);
	}

	@Test
	void callbacksAreReadBareOrInTheEnvelope() {
		for (String body : List.of("{\"task_id\": \"782513541563338834\", \"task_status\": \"succeed\"}",
				"{\"code\": 0, \"message\": \"SUCCEED\", \"data\": {\"task_id\": \"782513541563338834\", "
						+ "\"task_status\": \"succeed\"}}")) {
			StepVerifier.create(webhooks().verify(new WebhookDelivery(new HttpHeaders(), body.getBytes())))
				.assertNext((notice) -> {
					assertThat(notice.remoteId()).isEqualTo("782513541563338834");
					assertThat(notice.deliveryId()).isEqualTo("782513541563338834.succeed");
				})
				.verifyComplete();
		}
	}

	@Test
	void aSecretTooShortForHs256StopsTheInstanceAtStartup() {
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> new TaskApiFamily(StandIn.webClients(), BUNDLED,
					new MockEnvironment().withProperty("KLING_SECRET_KEY", "short"), java.time.Clock.systemUTC())
				.create("kling", StandIn.settings("task-api", this.api.url(""), List.of(), Map.of())))
			.withMessageNotContaining("short");
	}

	/** Kling: a JWT (HS256, iss = access key) on every call; the {code, message, request_id, data} envelope. */
	static final class Kling extends TaskApiStandIn {

		@Override
		String idPrefix() {
			return "78251354156333";
		}

		@Override
		@Nullable String credentialsProblem(RecordedRequest request) {
			try {
				SignedJWT token = SignedJWT.parse(bearer(request));
				if (!token.verify(new MACVerifier(SECRET))) {
					return "JWT not signed with the secret key";
				}
				Instant now = Instant.now();
				if (!"test-key".equals(token.getJWTClaimsSet().getIssuer())) {
					return "JWT issuer is not the access key";
				}
				if (token.getJWTClaimsSet().getExpirationTime() == null
						|| token.getJWTClaimsSet().getExpirationTime().toInstant().isBefore(now)) {
					return "JWT expired (1004)";
				}
				if (token.getJWTClaimsSet().getNotBeforeTime() == null
						|| token.getJWTClaimsSet().getNotBeforeTime().toInstant().isAfter(now)) {
					return "JWT not yet valid (1003)";
				}
				return null;
			}
			catch (ParseException | JOSEException ex) {
				return "no JWT (" + ex.getMessage() + ")";
			}
		}

		@Override
		MockResponse route(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			for (String kind : List.of("text2video", "image2video")) {
				String prefix = "/v1/videos/" + kind;
				if (request.getMethod().equals("POST") && path.equals(prefix)) {
					JsonNode body = StandIn.jsonBody(request);
					expectFields(body, kind, kind.equals("text2video")
							? List.of("model_name", "prompt", "negative_prompt", "cfg_scale", "mode", "sound",
									"camera_control", "aspect_ratio", "duration", "watermark_info", "callback_url",
									"external_task_id")
							: List.of("model_name", "image", "image_tail", "prompt", "negative_prompt", "sound",
									"voice_list", "cfg_scale", "mode", "duration", "callback_url", "external_task_id",
									"static_mask", "dynamic_masks", "camera_control", "watermark_info"));
					if (!body.path("duration").isString()) {
						this.violations.add(kind + " duration is not a string");
						return error(400);
					}
					String id = accept(request, "submitted");
					return json("{\"code\": 0, \"message\": \"SUCCEED\", \"request_id\": \"CjMk\", \"data\": {\"task_id\": \""
							+ id + "\", \"task_status\": \"submitted\", \"created_at\": 1722769557708, \"updated_at\": "
							+ "1722769557708}}");
				}
				if (request.getMethod().equals("GET") && path.startsWith(prefix + "/")) {
					String id = path.substring(prefix.length() + 1);
					String state = this.tasks.get(id);
					if (state == null) {
						return json(404, "{\"code\": 1203, \"message\": \"task not found\", \"request_id\": \"r\"}");
					}
					String result = state.equals("succeed") ? ", \"task_result\": {\"videos\": [{\"id\": \"v1\", \"url\": \""
							+ url("/cdn/" + id + ".mp4") + "\", \"duration\": \"5.1\"}]}" : "";
					String message = state.equals("failed") ? "Failure to pass the risk control system" : "";
					return json("{\"code\": 0, \"message\": \"SUCCEED\", \"request_id\": \"r\", \"data\": {\"task_id\": \""
							+ id + "\", \"task_status\": \"" + state + "\", \"task_status_msg\": \"" + message
							+ "\", \"final_unit_deduction\": \"2.5\", \"created_at\": 1722769557708, \"updated_at\": "
							+ "1722769631212" + result + "}}");
				}
			}
			return notFound();
		}

		@Override
		MockResponse error(int status) {
			int code = switch (status) {
				case 400 -> 1201;
				case 401 -> 1000;
				case 403 -> 1103;
				case 429 -> 1303;
				case 503 -> 5001;
				case 504 -> 5002;
				default -> 5000;
			};
			MockResponse.Builder response = new MockResponse.Builder().code(status)
				.setHeader("Content-Type", "application/json")
				.body("{\"code\": " + code + ", \"message\": \"refused by the stand-in\", \"request_id\": \"r\"}");
			if (status == 429) {
				response.setHeader("Retry-After", "1");
			}
			return response.build();
		}

	}

}
