package dev.reelay.provider.kie;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ImageRefusal;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One Kie instance (see docs/providers/kie-ai.md). Remote models starting with {@code veo3} go to the Veo API,
 * the rest to the Market API. Veo task ids are kept as {@code veo/<taskId>} so status knows which API to ask.
 */
public final class KieProvider implements VideoProvider {

	static final String VEO_PREFIX = "veo/";

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	private final FamilyTraits traits;

	public KieProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings, FamilyTraits traits) {
		this.traits = traits;
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			if (!this.traits.takes(request.image())) {
				return Mono.error(ImageRefusal.of(this.http, request.image()));
			}
			boolean veo = request.remoteModel().startsWith("veo3");
			String path = veo ? "/api/v1/veo/generate" : "/api/v1/jobs/createTask";
			Map<String, Object> body = veo ? veoBody(request) : marketBody(request);
			return call(this.http.client().post().uri(URI.create(this.baseUrl + path))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)).map((data) -> {
					String taskId = ProviderHttp.text(data, "taskId");
					if (taskId == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " accepted the job but returned no taskId");
					}
					return new RemoteJob(veo ? VEO_PREFIX + taskId : taskId, RemoteStatus.QUEUED, 0, null, null, null);
				});
		});
	}

	private Map<String, Object> marketBody(GenerationRequest request) {
		Map<String, Object> input = new LinkedHashMap<>();
		input.put("prompt", request.prompt());
		// Words, not ratios; and the clip length is a string named n_frames.
		input.put("aspect_ratio", request.aspectRatio().equals("9:16") ? "portrait" : "landscape");
		input.put("n_frames", Integer.toString(request.durationSeconds()));
		input.put("remove_watermark", true);
		if (request.image() instanceof ImageInput.Url url) {
			input.put("image_urls", List.of(url.url()));
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model", request.remoteModel());
		callback(body);
		body.put("input", input);
		return body;
	}

	private Map<String, Object> veoBody(GenerationRequest request) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("prompt", request.prompt());
		body.put("model", request.remoteModel());
		if (request.image() instanceof ImageInput.Url url) {
			body.put("imageUrls", List.of(url.url()));
			body.put("generationType", "FIRST_AND_LAST_FRAMES_2_VIDEO");
		}
		else {
			body.put("generationType", "TEXT_2_VIDEO");
		}
		// The documented current name; older pages say aspectRatio.
		body.put("aspect_ratio", request.aspectRatio());
		if (request.seed() != null) {
			body.put("seeds", request.seed());
		}
		callback(body);
		return body;
	}

	private void callback(Map<String, Object> body) {
		String callback = this.settings.options().get("callback-url");
		if (callback != null && !callback.isBlank()) {
			body.put("callBackUrl", callback);
		}
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return record(remoteId).map((data) -> toRemoteJob(remoteId, data));
	}

	private Mono<JsonNode> record(String remoteId) {
		return Mono.defer(() -> {
			boolean veo = remoteId.startsWith(VEO_PREFIX);
			String taskId = veo ? remoteId.substring(VEO_PREFIX.length()) : remoteId;
			String path = veo ? "/api/v1/veo/record-info" : "/api/v1/jobs/recordInfo";
			return call(this.http.client().get().uri(this.baseUrl + path + "?taskId={id}", taskId));
		});
	}

	private RemoteJob toRemoteJob(String remoteId, JsonNode data) {
		if (remoteId.startsWith(VEO_PREFIX)) {
			String flag = Objects.requireNonNullElse(ProviderHttp.text(data, "successFlag"), "");
			return switch (flag) {
				case "0" -> new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS, 0, null, null, null);
				case "1" -> new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null);
				case "2", "3" -> failed(remoteId, ProviderHttp.text(data, "errorCode"),
						ProviderHttp.text(data, "errorMessage"));
				default -> new RemoteJob(remoteId, RemoteStatus.UNKNOWN, 0, null, null, null);
			};
		}
		String state = Objects.requireNonNullElse(ProviderHttp.text(data, "state"), "");
		return switch (state) {
			case "waiting", "queuing" -> new RemoteJob(remoteId, RemoteStatus.QUEUED, 0, null, null, null);
			case "generating" -> new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS, 0, null, null, null);
			case "success" -> new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null);
			case "fail" -> failed(remoteId, ProviderHttp.text(data, "failCode"), ProviderHttp.text(data, "failMsg"));
			default -> new RemoteJob(remoteId, RemoteStatus.UNKNOWN, 0, null, null, null);
		};
	}

	private RemoteJob failed(String remoteId, @Nullable String code, @Nullable String message) {
		return new RemoteJob(remoteId, RemoteStatus.FAILED, 0, new RemoteJob.RemoteError(
				"kie_" + Objects.requireNonNullElse(code, "generation_failed"),
				this.http.provider() + " could not generate this video"
						+ ((message != null) ? ": " + message : ".")), null, null);
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "Kie offers only the video"));
		}
		return record(remoteId).flatMap((data) -> {
			String url = remoteId.startsWith(VEO_PREFIX) ? ProviderHttp.text(data, "response", "resultUrls", "0")
					: ProviderHttp.text(resultJson(data), "resultUrls", "0");
			if (url == null) {
				return Mono.error(this.http.permanent("content_unavailable",
						this.http.provider() + " lists no result URL for this task (they expire after about 24 hours)"));
			}
			// Result URLs are public and short-lived; no key goes to the CDN.
			return this.http.download(this.http.client().get().uri(URI.create(url)), "video/mp4");
		});
	}

	/** {@code resultJson} is JSON inside a string: a second parse. */
	private static JsonNode resultJson(JsonNode data) {
		JsonNode result = data.path("resultJson");
		return result.isString() ? ProviderHttp.parse(result.stringValue()) : result;
	}

	/** Kie answers HTTP 200 with its own code in the body; anything but 200 there is an error. */
	private Mono<JsonNode> call(WebClient.RequestHeadersSpec<?> request) {
		return this.http.json(request.header("Authorization", "Bearer " + this.settings.apiKey()))
			.map((envelope) -> {
				String code = ProviderHttp.text(envelope, "code");
				if (code != null && !code.equals("200")) {
					throw bodyError(code, ProviderHttp.firstNonNull(ProviderHttp.text(envelope, "msg"),
							ProviderHttp.text(envelope, "message")));
				}
				return envelope.path("data");
			});
	}

	private ProviderException bodyError(String code, @Nullable String message) {
		String detail = Objects.requireNonNullElse(message, "code " + code);
		String provider = this.http.provider();
		ProviderException.Kind kind = switch (code) {
			case "429" -> ProviderException.Kind.RATE_LIMITED;
			case "500" -> ProviderException.Kind.RETRYABLE;
			default -> ProviderException.Kind.PERMANENT;
		};
		String words = switch (code) {
			case "401" -> provider + " rejected the API key. Check the key configured for it.";
			case "402" -> provider + " says the account has no credits left; top up, then retry: " + detail;
			case "404" -> provider + " does not know this task: " + detail;
			case "422" -> provider + " rejected the request as invalid: " + detail;
			case "429" -> provider + " is rate limiting requests; Reelay waits and tries again.";
			case "500" -> provider + " had an internal error; Reelay retries: " + detail;
			default -> provider + " refused the request (code " + code + "): " + detail;
		};
		String reason = switch (code) {
			case "401" -> "authentication_failed";
			case "402" -> "insufficient_credits";
			case "404" -> "not_found";
			case "422" -> "invalid_request";
			case "429" -> "rate_limited";
			case "500" -> "provider_error";
			default -> "kie_" + code;
		};
		return new ProviderException(kind, reason, words, 200, null, null, null);
	}

}
