package dev.reelay.provider.gemini;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderErrors;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ImageRefusal;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One Gemini Interactions instance (see docs/providers/gemini-interactions.md). The remote id is the interaction
 * id. The API offers no list of interactions, so a create whose answer is lost cannot be looked for: it is never
 * sent again ({@link #canFindSubmitted} stays false), and every create is sent with {@code background: true} so
 * that its answer comes at once rather than after the whole generation.
 */
public final class GeminiInteractionsProvider implements VideoProvider {

	/** Response bodies are parsed on threads that may wait for the network; never on an event loop. */
	private static final Executor PARSING = (task) -> Schedulers.boundedElastic().schedule(task);

	/** How many network buffers a streaming parse may hold ahead of the parser. */
	private static final int READ_AHEAD = 4;

	/** The size of each decoded piece of an inline video handed on to storage. */
	private static final int CHUNK = 64 * 1024;

	private static final Pattern FILE = Pattern.compile("/files/([A-Za-z0-9_-]+)");

	private static final Pattern RETRY_DELAY = Pattern.compile("(\\d+(?:\\.\\d+)?)s");

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	private final FamilyTraits traits;

	private final GeminiOptions options;

	public GeminiInteractionsProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings,
			FamilyTraits traits) {
		this.traits = traits;
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
		this.options = GeminiOptions.of(settings);
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			// A part's uri must be a Files API file; an arbitrary https URL is not documented to work.
			if (!this.traits.takes(request.image())) {
				return Mono.error(ImageRefusal.of(this.http, request.image()));
			}
			return call(key(this.http.client()
				.post()
				.uri(URI.create(this.baseUrl + "/interactions"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(createBody(request)))).map((answer) -> {
					Interaction interaction = new Interaction(answer);
					if (interaction.id() == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " accepted the interaction but returned no id");
					}
					return interaction.toRemoteJob("");
				});
		});
	}

	Map<String, Object> createBody(GenerationRequest request) {
		// Omni takes no negative prompt field; the guide says to put negatives in the prompt.
		String prompt = (request.negativePrompt() != null)
				? request.prompt() + "\n\nAvoid: " + request.negativePrompt() : request.prompt();
		Object input = prompt;
		if (request.image() instanceof ImageInput.Upload upload) {
			// Image roles are named in the prompt text, not in JSON.
			input = List.of(Map.of("type", "image", "data", upload.base64(), "mime_type", upload.mediaType()),
					Map.of("type", "text", "text", "<FIRST_FRAME> " + prompt));
		}
		Map<String, Object> format = new LinkedHashMap<>();
		format.put("type", "video");
		format.put("aspect_ratio", request.aspectRatio());
		format.put("resolution", request.resolution());
		// A protobuf Duration string: a bare number is refused with a 400.
		format.put("duration", request.durationSeconds() + "s");
		format.put("delivery", this.options.delivery());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model", request.remoteModel());
		body.put("input", input);
		body.put("background", true);
		body.put("response_format", format);
		if (this.options.sendSeed() && request.seed() != null) {
			body.put("generation_config", Map.of("seed", request.seed()));
		}
		if (this.options.webhookUrl() != null) {
			body.put("webhook_config", Map.of("uris", List.of(this.options.webhookUrl())));
		}
		return body;
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return skeleton(remoteId).map((body) -> new Interaction(body).toRemoteJob(remoteId)).onErrorMap(
				ProviderException.class, (error) -> pollError(error));
	}

	/**
	 * A 400 on a poll is final only for an unknown id; third-party clients saw others on running, billed
	 * interactions (an auth-layer glitch) and retry them, which {@code options.retry-poll-400} keeps.
	 */
	private ProviderException pollError(ProviderException error) {
		if (error.httpStatus() != 400) {
			return error;
		}
		if (Objects.requireNonNullElse(error.getMessage(), "").contains("Invalid interaction name")) {
			return new ProviderException(ProviderException.Kind.PERMANENT, "not_found",
					this.http.provider() + " does not know this interaction", 400, null, error.requestId(), null);
		}
		return this.options.retryPoll400() ? new ProviderException(ProviderException.Kind.RETRYABLE, error.code(),
				error.getMessage(), 400, null, error.requestId(), null) : error;
	}

	/** The interaction with inline video data left unread (see {@link InteractionBodies}). */
	private Mono<JsonNode> skeleton(String remoteId) {
		Duration timeout = this.settings.timeout();
		return key(this.http.client().get().uri(this.baseUrl + "/interactions/{id}", remoteId))
			.exchangeToMono((response) -> {
				if (!response.statusCode().is2xxSuccessful()) {
					return error(response).flatMap(Mono::error);
				}
				// An idle timeout on the body: a stalled stream fails the parse instead of holding its thread.
				Flux<DataBuffer> body = response.bodyToFlux(DataBuffer.class).timeout(timeout);
				return Mono.fromCallable(() -> {
					try (InputStream in = DataBufferUtils.subscriberInputStream(body, READ_AHEAD)) {
						return InteractionBodies.skeleton(in);
					}
				}).subscribeOn(Schedulers.boundedElastic());
			})
			.timeout(timeout)
			.onErrorMap((error) -> classified(error));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "Gemini offers only the video"));
		}
		return skeleton(remoteId).flatMap((body) -> {
			Interaction.Video video = new Interaction(body).video();
			if (video == null) {
				return Mono.error(this.http.permanent("content_unavailable", "Gemini returned no video to download"));
			}
			if (video.uri() != null) {
				return fromFile(video.uri(), video.mimeType());
			}
			return Mono.just(new RemoteContent(video.mimeType(), null,
					inline(remoteId, Objects.requireNonNull(video.dataPath()))));
		});
	}

	/**
	 * The inline video, decoded from base64 as the interaction streams in a second time (the first read only found
	 * where it is): at most a few network buffers and one output chunk are in memory at once.
	 */
	private Flux<DataBuffer> inline(String remoteId, List<String> dataPath) {
		Flux<DataBuffer> json = key(this.http.client().get().uri(this.baseUrl + "/interactions/{id}", remoteId))
			.retrieve()
			.onStatus((status) -> !status.is2xxSuccessful(), this::error)
			.bodyToFlux(DataBuffer.class)
			.timeout(this.settings.timeout());
		return Flux.from(DataBufferUtils.outputStreamPublisher((out) -> {
			try (InputStream in = DataBufferUtils.subscriberInputStream(json, READ_AHEAD)) {
				if (!InteractionBodies.decode(in, dataPath, out)) {
					throw this.http.permanent("content_unavailable", "The interaction no longer holds its video");
				}
			}
			catch (java.io.IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, DefaultDataBufferFactory.sharedInstance, PARSING, CHUNK)).onErrorMap((error) -> classified(error));
	}

	/**
	 * A Files API file: its state is checked first (a file still processing is retried, a failed one is final),
	 * then it is downloaded with the key; a redirect to another host drops the key.
	 */
	private Mono<RemoteContent> fromFile(String uri, String mimeType) {
		Matcher file = FILE.matcher(uri);
		Mono<Void> ready = Mono.empty();
		if (this.options.checkFileState() && file.find()) {
			ready = call(key(this.http.client().get().uri(this.baseUrl + "/files/{id}", file.group(1))))
				.flatMap((state) -> {
					String word = Objects.requireNonNullElse(ProviderHttp.text(state, "state"), "ACTIVE");
					return switch (word) {
						case "ACTIVE" -> Mono.<Void>empty();
						case "FAILED" -> Mono.error(this.http.permanent("file_failed",
								"Gemini could not store the finished video (its file failed)"));
						default -> Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "file_not_ready",
								"Gemini is still storing the finished video (" + word + ")", 0, null, null, null));
					};
				});
		}
		return ready.then(this.http.download(key(this.http.client().get().uri(URI.create(uri))), mimeType));
	}

	/** Cancel works only while a background interaction runs; a refusal means it already ended. */
	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return call(key(this.http.client()
			.post()
			.uri(this.baseUrl + "/interactions/{id}/cancel", remoteId)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of()))).map((answer) -> switch (new Interaction(answer).toRemoteJob(remoteId).status()) {
				case COMPLETED, FAILED -> CancelOutcome.ALREADY_FINISHED;
				default -> CancelOutcome.CANCELED;
			})
			.onErrorResume(ProviderException.class, (error) -> (error.httpStatus() == 400 || error.httpStatus() == 409)
					? Mono.just(CancelOutcome.ALREADY_FINISHED) : Mono.error(error));
	}

	private Mono<JsonNode> call(WebClient.RequestHeadersSpec<?> request) {
		return request.exchangeToMono((response) -> {
			if (!response.statusCode().is2xxSuccessful()) {
				return error(response).flatMap(Mono::error);
			}
			return response.bodyToMono(String.class).map(ProviderHttp::parse).defaultIfEmpty(MissingNode.getInstance());
		}).timeout(this.settings.timeout()).onErrorMap((error) -> classified(error));
	}

	/**
	 * The shared classification, plus Google's wait: with no {@code Retry-After}, a 429 may name one in a
	 * {@code google.rpc.RetryInfo} detail ({@code "retryDelay": "17s"}).
	 */
	private Mono<ProviderException> error(ClientResponse response) {
		HttpHeaders headers = response.headers().asHttpHeaders();
		int status = response.statusCode().value();
		return response.bodyToMono(String.class)
			.map(ProviderHttp::parse)
			.defaultIfEmpty(MissingNode.getInstance())
			.map((body) -> {
				// The Google front end sometimes wraps the error in an array.
				JsonNode error = body.isArray() ? body.path(0) : body;
				ProviderException classified = this.http.httpError(status, headers, error);
				Duration wait = (classified.retryAfter() == null) ? retryInfo(error) : null;
				return (wait == null) ? classified : new ProviderException(classified.kind(), classified.code(),
						classified.getMessage(), status, wait, classified.requestId(), null);
			});
	}

	private static @Nullable Duration retryInfo(JsonNode error) {
		for (JsonNode detail : error.path("error").path("details").values()) {
			String delay = ProviderHttp.text(detail, "retryDelay");
			Matcher seconds = (delay != null) ? RETRY_DELAY.matcher(delay.trim()) : null;
			if (seconds != null && seconds.matches()) {
				return Duration.ofMillis((long) (Double.parseDouble(seconds.group(1)) * 1000));
			}
		}
		return null;
	}

	/** A failure from anywhere in a call, a streaming parse included, as a classified {@link ProviderException}. */
	private Throwable classified(Throwable error) {
		List<Throwable> chain = new ArrayList<>();
		for (Throwable cause = error; cause != null && !chain.contains(cause); cause = cause.getCause()) {
			if (cause instanceof ProviderException provider) {
				return provider;
			}
			chain.add(cause);
		}
		Throwable transport = ProviderErrors.transportFailure(error, this.http.provider());
		if (transport instanceof ProviderException) {
			return transport;
		}
		for (Throwable cause : chain) {
			Throwable inner = ProviderErrors.transportFailure(cause, this.http.provider());
			if (inner instanceof ProviderException) {
				return inner;
			}
		}
		// A broken or truncated body: nothing final was learned, so it is worth another try.
		return new ProviderException(ProviderException.Kind.RETRYABLE, "provider_unreachable", "The answer from "
				+ this.http.provider() + " broke off or could not be read (" + error.getClass().getSimpleName() + ")",
				0, null, null, error);
	}

	private WebClient.RequestHeadersSpec<?> key(WebClient.RequestHeadersSpec<?> request) {
		request.header("x-goog-api-key", Objects.requireNonNullElse(this.settings.apiKey(), ""));
		if (this.options.apiRevision() != null) {
			request.header("Api-Revision", this.options.apiRevision());
		}
		return request;
	}

}
