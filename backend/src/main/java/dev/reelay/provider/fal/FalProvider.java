package dev.reelay.provider.fal;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One fal instance (see docs/providers/fal.md). The remote id is {@code owner/app/requests/<id>}:
 * status, result and cancel live under the app without the model's subpath.
 */
public final class FalProvider implements VideoProvider {

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	public FalProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings) {
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			Map<String, Object> input = new LinkedHashMap<>();
			input.put("prompt", request.prompt());
			input.put("duration", duration(request));
			input.put("aspect_ratio", request.aspectRatio());
			input.put("resolution", request.resolution());
			if (request.negativePrompt() != null) {
				input.put("negative_prompt", request.negativePrompt());
			}
			if (request.seed() != null) {
				input.put("seed", request.seed());
			}
			if (request.image() instanceof ImageInput.Url url) {
				input.put("image_url", url.url());
			}
			else if (request.image() instanceof ImageInput.Upload upload) {
				// fal accepts data URIs wherever it takes a file URL.
				input.put("image_url", upload.dataUri());
			}
			UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(this.baseUrl + "/" + request.remoteModel());
			String callback = this.settings.options().get("callback-url");
			if (callback != null && !callback.isBlank()) {
				uri.queryParam("fal_webhook", callback);
			}
			return this.http.json(authorized(this.http.client().post().uri(uri.encode().build().toUri())
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(input))).map((submitted) -> {
					String requestId = ProviderHttp.text(submitted, "request_id");
					if (requestId == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " queued the request but returned no request_id");
					}
					return new RemoteJob(app(request.remoteModel()) + "/requests/" + requestId, RemoteStatus.QUEUED, 0,
							null, null, null);
				});
		}).onErrorMap(ProviderException.class, this::reachedTheApp);
	}

	/**
	 * Kling, Seedance and Wan on fal type the duration as a string enum ({@code "5"}), Pika as an integer enum; each
	 * is sent the type its schema declares.
	 */
	private static Object duration(GenerationRequest request) {
		return request.remoteModel().startsWith("fal-ai/pika/") ? request.durationSeconds()
				: Integer.toString(request.durationSeconds());
	}

	/**
	 * A 5xx that carries {@code x-fal-request-id} came from the model's app, not fal's ingress: the request ran, and
	 * fal's own client does not send it again. Neither does Reelay, as it cannot look the request up to avoid paying
	 * twice.
	 */
	private ProviderException reachedTheApp(ProviderException error) {
		if (error.httpStatus() < 500 || error.requestId() == null) {
			return error;
		}
		return new ProviderException(ProviderException.Kind.PERMANENT, error.code(), this.http.provider()
				+ "'s model failed while running the request (HTTP " + error.httpStatus()
				+ "); it is not sent again, to avoid paying twice.", error.httpStatus(), null, error.requestId(), error);
	}

	/** {@code owner/app} of a model id such as {@code fal-ai/kling-video/v2.1/standard/text-to-video}. */
	static String app(String model) {
		String[] parts = model.split("/");
		return (parts.length >= 2) ? parts[0] + "/" + parts[1] : model;
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return Mono.defer(() -> this.http.json(authorized(this.http.client().get()
			.uri(URI.create(this.baseUrl + "/" + remoteId + "/status")))))
			.map((status) -> toRemoteJob(remoteId, status));
	}

	private RemoteJob toRemoteJob(String remoteId, JsonNode status) {
		String state = Objects.requireNonNullElse(ProviderHttp.text(status, "status"), "");
		return switch (state) {
			case "IN_QUEUE" -> new RemoteJob(remoteId, RemoteStatus.QUEUED, 0, null, null, null);
			case "IN_PROGRESS" -> new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS, 0, null, null, null);
			// COMPLETED is not success: a failed run is COMPLETED with an error.
			case "COMPLETED" -> (ProviderHttp.text(status, "error") != null)
					? failed(remoteId, status) : new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null);
			case "FAILED" -> failed(remoteId, status);
			case "CANCELED", "CANCELLED" -> new RemoteJob(remoteId, RemoteStatus.CANCELED, 0, null, null, null);
			default -> new RemoteJob(remoteId, RemoteStatus.UNKNOWN, 0, null, null, null);
		};
	}

	private RemoteJob failed(String remoteId, JsonNode status) {
		String type = Objects.requireNonNullElse(ProviderHttp.text(status, "error_type"), "generation_failed");
		String error = Objects.requireNonNullElse(ProviderHttp.text(status, "error"), "no reason given");
		String message = ErrorClass.ofCode(type) == ErrorClass.MODERATION
				? "fal's content checks blocked this request. Try a different prompt or image."
				: this.http.provider() + " could not generate this video: " + error;
		return new RemoteJob(remoteId, RemoteStatus.FAILED, 0, new RemoteJob.RemoteError(type, message), null, null);
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "fal offers only the video"));
		}
		return Mono.defer(() -> this.http.json(authorized(this.http.client().get()
			.uri(URI.create(this.baseUrl + "/" + remoteId))))).flatMap((result) -> {
				String url = ProviderHttp.firstNonNull(ProviderHttp.text(result, "video", "url"),
						ProviderHttp.text(result, "videos", "0", "url"));
				if (url == null) {
					return Mono.error(this.http.permanent("content_unavailable",
							this.http.provider() + "'s result has no video URL"));
				}
				String type = Objects.requireNonNullElse(ProviderHttp.text(result, "video", "content_type"), "video/mp4");
				return this.http.download(this.http.client().get().uri(URI.create(url)), type);
			});
	}

	/** fal cancels only requests still in the queue; one already running or done is reported as such. */
	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return Mono.defer(() -> this.http.json(authorized(this.http.client().put()
			.uri(URI.create(this.baseUrl + "/" + remoteId + "/cancel")))))
			.thenReturn(CancelOutcome.CANCELED)
			.onErrorResume(ProviderException.class, (error) -> (error.httpStatus() == 400)
					? Mono.just(CancelOutcome.ALREADY_FINISHED) : Mono.error(error));
	}

	private WebClient.RequestHeadersSpec<?> authorized(WebClient.RequestHeadersSpec<?> request) {
		// fal's scheme word is Key, not Bearer.
		return request.header("Authorization", "Key " + this.settings.apiKey());
	}

}
