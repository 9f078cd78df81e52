package dev.reelay.provider.openai;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderErrors;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/** One instance of the /v1/videos contract (see docs/providers/openai-videos.md). */
final class OpenAiVideosProvider implements VideoProvider {

	private static final int LIST_PAGES_TO_SEARCH = 5;

	private final String name;

	private final WebClient http;

	private final Supplier<String> baseUrl;

	private final ProviderSettings.Instance settings;

	private final Clock clock;

	OpenAiVideosProvider(String name, WebClient http, Supplier<String> baseUrl, ProviderSettings.Instance settings,
			Clock clock) {
		this.name = name;
		this.clock = clock;
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			if (request.remixOf() != null) {
				// A remix keeps the source's model, size and length; only the prompt is new.
				return call(this.http.post()
					.uri(this.baseUrl.get() + "/videos/{id}/remix", request.remixOf())
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("prompt", request.prompt())));
			}
			String seconds = Integer.toString(request.durationSeconds());
			String size = OpenAiSizes.sizeFor(request.aspectRatio(), request.resolution());
			if (request.image() instanceof ImageInput.Url url) {
				// The object form of input_reference exists only in the JSON encoding.
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("prompt", request.prompt());
				body.put("model", request.remoteModel());
				body.put("seconds", seconds);
				body.put("size", size);
				body.put("input_reference", Map.of("image_url", url.url()));
				return call(this.http.post()
					.uri(this.baseUrl.get() + "/videos")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(body));
			}
			// Multipart, as the SDK sends it, with or without a file, and with its length.
			MultipartForm form = new MultipartForm().text("prompt", request.prompt())
				.text("model", request.remoteModel())
				.text("seconds", seconds)
				.text("size", size);
			if (request.image() instanceof ImageInput.Upload upload) {
				form.file("input_reference", upload.filename(), upload.mediaType(), upload.bytes());
			}
			byte[] body = form.bytes();
			return call(this.http.post()
				.uri(this.baseUrl.get() + "/videos")
				.contentType(form.contentType())
				.contentLength(body.length)
				.bodyValue(body));
		}).flatMap((created) -> (created.remoteId() == null || created.remoteId().isBlank())
				? Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "accepted_without_id",
						this.name + " accepted the video but returned no id", 0, null, created.requestId(), null))
				: Mono.just(created));
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return Mono.defer(() -> call(this.http.get().uri(this.baseUrl.get() + "/videos/{id}", remoteId)));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		return Mono.defer(() -> authorized(this.http.get()
			.uri(this.baseUrl.get() + "/videos/{id}/content?variant={variant}", remoteId,
					variant.name().toLowerCase(Locale.ROOT))
			.header(HttpHeaders.ACCEPT, "application/binary"))
			.retrieve()
			.onStatus((status) -> !status.is2xxSuccessful(), this::errorFrom)
			.toEntityFlux(DataBuffer.class)
			.map((entity) -> {
				MediaType type = entity.getHeaders().getContentType();
				long length = entity.getHeaders().getContentLength();
				return new RemoteContent((type != null) ? type.toString()
						: ((variant == ContentVariant.VIDEO) ? "video/mp4" : "image/webp"), (length >= 0) ? length : null,
						Objects.requireNonNull(entity.getBody()));
			}))
			.timeout(this.settings.timeout())
			.onErrorMap((error) -> ProviderErrors.transportFailure(error, this.name));
	}

	/** One list page per request, up to the pages a search reads. */
	@Override
	public int findRequests() {
		return LIST_PAGES_TO_SEARCH;
	}

	/** {@code GET /videos/{id}/content?variant=} serves the video, a thumbnail and a spritesheet. */
	@Override
	public boolean offers(ContentVariant variant) {
		return true;
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		// The contract has no cancel; DELETE is documented for finished videos only.
		return Mono.just(CancelOutcome.UNSUPPORTED);
	}

	/** The video list is newest first and carries each video's prompt: enough to find a lost create. */
	@Override
	public boolean canFindSubmitted() {
		return true;
	}

	/**
	 * The listed videos this request could have created: the contract echoes no marker of the caller's (no metadata
	 * or user field), so every field it does echo must match: prompt, model, size and length, or for a remix its
	 * source and prompt (a remix keeps its source's model, size and length). Every match is answered, not the first,
	 * so that the dispatcher can see when more than one could be the job's.
	 */
	@Override
	public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		long since = notBefore.getEpochSecond() - 1;
		return listPage(null)
			.expand((page) -> (page.hasMore() && page.lastId() != null && !page.data().isEmpty()
					&& Objects.requireNonNullElse(page.data().get(page.data().size() - 1).createdAt(), 0L) >= since)
							? listPage(page.lastId()) : Mono.empty())
			.take(LIST_PAGES_TO_SEARCH)
			.flatMapIterable(OpenAiVideo.Page::data)
			.filter((video) -> video.createdAt() != null && video.createdAt() >= since && couldBe(request, video))
			.map((video) -> new SubmittedGeneration(toRemoteJob(video, null, null),
					Instant.ofEpochSecond(Objects.requireNonNull(video.createdAt()))))
			.distinct((found) -> found.remote().remoteId());
	}

	private static boolean couldBe(GenerationRequest request, OpenAiVideo video) {
		if (!request.prompt().equals(video.prompt())) {
			return false;
		}
		if (request.remixOf() != null) {
			return request.remixOf().equals(video.remixedFromVideoId());
		}
		// A field a reseller leaves out cannot tell two videos apart, but it does not rule this one out either.
		return video.remixedFromVideoId() == null && sameOrAbsent(request.remoteModel(), video.model())
				&& sameOrAbsent(Integer.toString(request.durationSeconds()), video.seconds())
				&& sameOrAbsent(OpenAiSizes.sizeFor(request.aspectRatio(), request.resolution()), video.size());
	}

	private static boolean sameOrAbsent(String sent, @Nullable String echoed) {
		return echoed == null || sent.equals(echoed);
	}

	private Mono<OpenAiVideo.Page> listPage(@Nullable String after) {
		String query = "/videos?order=desc&limit=100" + ((after != null) ? "&after=" + after : "");
		return authorized(this.http.get().uri(this.baseUrl.get() + query)).exchangeToMono((response) -> response
			.statusCode()
			.is2xxSuccessful() ? response.bodyToMono(OpenAiVideo.Page.class) : errorFrom(response).flatMap(Mono::error))
			.timeout(this.settings.timeout())
			.onErrorMap((error) -> ProviderErrors.transportFailure(error, this.name));
	}

	private Mono<RemoteJob> call(WebClient.RequestHeadersSpec<?> request) {
		return authorized(request).exchangeToMono((response) -> {
			if (!response.statusCode().is2xxSuccessful()) {
				return errorFrom(response).flatMap(Mono::error);
			}
			HttpHeaders headers = response.headers().asHttpHeaders();
			return response.bodyToMono(OpenAiVideo.class)
				.map((video) -> toRemoteJob(video, pollAfter(headers), headers.getFirst("x-request-id")));
		})
			.timeout(this.settings.timeout())
			.onErrorMap((error) -> ProviderErrors.transportFailure(error, this.name));
	}

	private WebClient.RequestHeadersSpec<?> authorized(WebClient.RequestHeadersSpec<?> request) {
		String key = this.settings.apiKey();
		return (key != null && !key.isEmpty()) ? request.header(HttpHeaders.AUTHORIZATION, "Bearer " + key) : request;
	}

	private static @Nullable Duration pollAfter(HttpHeaders headers) {
		String value = headers.getFirst("openai-poll-after-ms");
		try {
			return (value != null) ? Duration.ofMillis(Long.parseLong(value.trim())) : null;
		}
		catch (NumberFormatException ignored) {
			return null;
		}
	}

	private Mono<ProviderException> errorFrom(ClientResponse response) {
		HttpHeaders headers = response.headers().asHttpHeaders();
		int status = response.statusCode().value();
		return response.bodyToMono(OpenAiVideo.ErrorEnvelope.class)
			.onErrorResume((unreadable) -> Mono.empty())
			.map((envelope) -> (envelope.error() != null) ? envelope.error()
					: new OpenAiVideo.ErrorBody(null, null, null, null))
			.defaultIfEmpty(new OpenAiVideo.ErrorBody(null, null, null, null))
			.map((body) -> OpenAiErrors.classify(this.name, status, headers, body));
	}

	static RemoteJob toRemoteJob(OpenAiVideo video, @Nullable Duration pollAfter, @Nullable String requestId) {
		RemoteStatus status = switch (Objects.requireNonNullElse(video.status(), "")) {
			case "queued" -> RemoteStatus.QUEUED;
			case "in_progress" -> RemoteStatus.IN_PROGRESS;
			case "completed" -> RemoteStatus.COMPLETED;
			case "failed" -> RemoteStatus.FAILED;
			default -> RemoteStatus.UNKNOWN;
		};
		RemoteJob.RemoteError error = (status == RemoteStatus.FAILED) ? OpenAiErrors.jobFailure(video.error()) : null;
		int progress = Math.max(0, Math.min(100, Objects.requireNonNullElse(video.progress(), 0)));
		return new RemoteJob(video.id(), status, progress, error, pollAfter, requestId);
	}

}
