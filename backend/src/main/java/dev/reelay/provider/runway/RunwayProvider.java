package dev.reelay.provider.runway;

import java.net.URI;
import java.time.Duration;
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

/** One Runway instance (see docs/providers/runway.md). */
public final class RunwayProvider implements VideoProvider {

	static final String DEFAULT_VERSION = "2024-11-06";

	/** The task endpoint does not update more often; asking faster only spends the rate limit. */
	static final Duration MIN_POLL = Duration.ofSeconds(5);

	/** Runway's own limit on data: URIs. */
	static final int MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

	private static final Map<String, String> RATIOS = Map.of(
			"16:9@720p", "1280:720", "9:16@720p", "720:1280",
			"16:9@1080p", "1920:1080", "9:16@1080p", "1080:1920",
			"1:1@720p", "960:960", "4:3@720p", "1104:832", "3:4@720p", "832:1104", "21:9@720p", "1584:672");

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	public RunwayProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings) {
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			String ratio = RATIOS.get(request.aspectRatio() + "@" + request.resolution());
			if (ratio == null) {
				return Mono.error(this.http.permanent("unsupported_size", this.http.provider() + " cannot make "
						+ request.aspectRatio() + " video at " + request.resolution()));
			}
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("model", request.remoteModel());
			String path = "/v1/text_to_video";
			if (request.image() instanceof ImageInput.Url url) {
				body.put("promptImage", url.url());
				path = "/v1/image_to_video";
			}
			else if (request.image() instanceof ImageInput.Upload upload) {
				if (upload.bytes().length > MAX_INLINE_IMAGE_BYTES) {
					return Mono.error(this.http.permanent("image_too_large",
							this.http.provider() + " takes uploaded images up to 5 MB; send a URL instead"));
				}
				body.put("promptImage", upload.dataUri());
				path = "/v1/image_to_video";
			}
			body.put("promptText", request.prompt());
			body.put("ratio", ratio);
			body.put("duration", request.durationSeconds());
			if (request.seed() != null) {
				body.put("seed", request.seed());
			}
			if (request.negativePrompt() != null && request.remoteModel().startsWith("veo")) {
				// Only Runway's Veo models take a negative prompt.
				body.put("negativePrompt", request.negativePrompt());
			}
			return this.http.json(headers(this.http.client().post().uri(URI.create(this.baseUrl + path))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body))).map((created) -> {
					String id = ProviderHttp.text(created, "id");
					if (id == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " accepted the task but returned no id");
					}
					return new RemoteJob(id, RemoteStatus.QUEUED, 0, null, MIN_POLL, null);
				});
		});
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return task(remoteId).map((task) -> toRemoteJob(remoteId, task));
	}

	private Mono<JsonNode> task(String remoteId) {
		return Mono.defer(() -> this.http.json(headers(this.http.client().get()
			.uri(this.baseUrl + "/v1/tasks/{id}", remoteId))));
	}

	private RemoteJob toRemoteJob(String remoteId, JsonNode task) {
		String status = Objects.requireNonNullElse(ProviderHttp.text(task, "status"), "");
		return switch (status) {
			// THROTTLED: queued behind this account's concurrency limit, not an error.
			case "PENDING", "THROTTLED" -> new RemoteJob(remoteId, RemoteStatus.QUEUED, 0, null, MIN_POLL, null);
			case "RUNNING" -> new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS,
					(int) Math.round(Math.max(0, Math.min(1, task.path("progress").asDouble(0))) * 100), null,
					MIN_POLL, null);
			case "SUCCEEDED" -> new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, MIN_POLL, null);
			case "FAILED" -> new RemoteJob(remoteId, RemoteStatus.FAILED, 0, failure(task), MIN_POLL, null);
			case "CANCELLED" -> new RemoteJob(remoteId, RemoteStatus.CANCELED, 0, null, MIN_POLL, null);
			default -> new RemoteJob(remoteId, RemoteStatus.UNKNOWN, 0, null, MIN_POLL, null);
		};
	}

	private RemoteJob.RemoteError failure(JsonNode task) {
		String code = Objects.requireNonNullElse(ProviderHttp.text(task, "failureCode"), "generation_failed");
		if (ErrorClass.ofCode(code) == ErrorClass.MODERATION) {
			return new RemoteJob.RemoteError(code,
					"Runway's content moderation blocked this request. Try a different prompt or image.");
		}
		// failure is human text Runway asks not to show raw; it goes after a sentence of our own.
		String detail = ProviderHttp.text(task, "failure");
		return new RemoteJob.RemoteError(code,
				"Runway could not generate this video" + ((detail != null) ? " (" + detail + ")." : "."));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "Runway offers only the video"));
		}
		// Output URLs expire within a day or two, so they are read fresh from the task every time.
		return task(remoteId).flatMap((task) -> {
			String url = ProviderHttp.text(task, "output", "0");
			if (url == null) {
				return Mono.error(this.http.permanent("content_unavailable", "Runway lists no output for this task"));
			}
			return this.http.download(this.http.client().get().uri(URI.create(url)), "video/mp4");
		});
	}

	/** DELETE cancels a task that has not finished (and deletes one that has). */
	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return this.http.json(headers(this.http.client().delete().uri(this.baseUrl + "/v1/tasks/{id}", remoteId)))
			.thenReturn(CancelOutcome.CANCELED)
			.onErrorResume(ProviderException.class, (error) -> (error.httpStatus() == 404)
					? Mono.just(CancelOutcome.ALREADY_FINISHED) : Mono.error(error));
	}

	private WebClient.RequestHeadersSpec<?> headers(WebClient.RequestHeadersSpec<?> request) {
		return request.header("Authorization", "Bearer " + this.settings.apiKey())
			.header("X-Runway-Version", this.settings.option("api-version", DEFAULT_VERSION));
	}

}
