package dev.reelay.provider.veo;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ImageRefusal;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/** One Veo instance (see shared/providers/google-veo.md). The remote id is the operation name, used verbatim. */
public final class GoogleVeoProvider implements VideoProvider {

	static final String GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	private final FamilyTraits traits;

	private final boolean vertex;

	private final AccessTokens tokens;

	GoogleVeoProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings, FamilyTraits traits,
			boolean vertex, AccessTokens tokens) {
		this.traits = traits;
		this.http = http;
		this.baseUrl = baseUrl;
		this.settings = settings;
		this.vertex = vertex;
		this.tokens = tokens;
	}

	/**
	 * An instance's adapter: on the Gemini API by default, on Vertex AI with {@code options.api: vertex} (which needs
	 * the instance's own base URL).
	 */
	public static GoogleVeoProvider of(ProviderHttp http, ProviderSettings.Instance settings, FamilyTraits traits) {
		String instanceName = http.provider();
		boolean vertex = "vertex".equalsIgnoreCase(settings.option("api", "gemini"));
		if (vertex && (settings.baseUrl() == null || settings.baseUrl().isBlank())) {
			throw new IllegalStateException("Provider instance '" + instanceName + "' uses Vertex AI and needs a "
					+ "base-url like https://LOCATION-aiplatform.googleapis.com/v1/projects/PROJECT/locations/LOCATION"
					+ "/publishers/google");
		}
		return new GoogleVeoProvider(http, settings.baseUrlOr(GEMINI_BASE_URL), settings, traits, vertex,
				vertex ? tokens(instanceName, settings, http, Clock.systemUTC()) : AccessTokens.fixed(""));
	}

	/**
	 * The instance's key is a service-account key (its JSON, or the path of its file), traded for access tokens as
	 * they are needed; or else a static access token, which lapses after about an hour. {@code options.credentials}
	 * ({@code service-account} or {@code access-token}) says which when telling them apart by shape is not enough.
	 */
	static AccessTokens tokens(String instanceName, ProviderSettings.Instance settings, ProviderHttp http,
			Clock clock) {
		String credential = Objects.requireNonNullElse(settings.apiKey(), "");
		String kind = settings.option("credentials", "auto");
		boolean serviceAccount = kind.equals("service-account")
				|| (kind.equals("auto") && ServiceAccountKey.looksLikeKey(credential));
		if (!serviceAccount) {
			return AccessTokens.fixed(credential.strip());
		}
		ServiceAccountKey key = ServiceAccountKey.parse(credential, instanceName);
		String tokenUrl = settings.option("token-url",
				Objects.requireNonNullElse(key.tokenUri(), ServiceAccountTokens.GOOGLE_TOKEN_URL));
		return new ServiceAccountTokens(key, tokenUrl, settings.option("scope", ServiceAccountTokens.CLOUD_PLATFORM),
				DurationStyle.detectAndParse(settings.option("token-refresh-before", "5m")), http.client(),
				settings.timeout(), instanceName, clock);
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			// The Gemini API rejects gcsUri and takes no https URL: images travel inline.
			if (!this.traits.takes(request.image())) {
				return Mono.error(ImageRefusal.of(this.http, request.image()));
			}
			Map<String, Object> instance = new LinkedHashMap<>();
			instance.put("prompt", request.prompt());
			if (request.image() instanceof ImageInput.Upload upload) {
				instance.put("image", Map.of("bytesBase64Encoded", upload.base64(), "mimeType", upload.mediaType()));
			}
			Map<String, Object> parameters = new LinkedHashMap<>();
			parameters.put("aspectRatio", request.aspectRatio());
			parameters.put("resolution", request.resolution());
			// A JSON number, as the SDK sends it (the guide's table quotes the values).
			parameters.put("durationSeconds", request.durationSeconds());
			parameters.put("sampleCount", 1);
			if (request.negativePrompt() != null) {
				parameters.put("negativePrompt", request.negativePrompt());
			}
			if (this.vertex && request.seed() != null) {
				// The SDK refuses seed on the Gemini API; only Vertex takes it.
				parameters.put("seed", request.seed());
			}
			Map<String, Object> body = Map.of("instances", List.of(instance), "parameters", parameters);
			return authorized(this.http.client()
				.post()
				.uri(URI.create(this.baseUrl + "/models/" + request.remoteModel() + ":predictLongRunning"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body))
				.flatMap(this.http::json)
				.map((operation) -> {
					String name = ProviderHttp.text(operation, "name");
					if (name == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " accepted the job but returned no operation name");
					}
					return toRemoteJob(operation);
				});
		});
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return operation(remoteId).map(this::toRemoteJob);
	}

	private Mono<JsonNode> operation(String name) {
		return Mono.defer(() -> {
			if (!this.vertex) {
				return authorized(this.http.client().get().uri(URI.create(this.baseUrl + "/" + name)))
					.flatMap(this.http::json);
			}
			// Vertex polls with a POST on the model, not a GET on the operation name.
			String model = name.substring(0, Math.max(0, name.indexOf("/operations/")));
			model = model.substring(model.lastIndexOf('/') + 1);
			return authorized(this.http.client()
				.post()
				.uri(URI.create(this.baseUrl + "/models/" + model + ":fetchPredictOperation"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("operationName", name))).flatMap(this.http::json);
		});
	}

	RemoteJob toRemoteJob(JsonNode operation) {
		String name = Objects.requireNonNullElse(ProviderHttp.text(operation, "name"), "");
		if (!operation.path("done").asBoolean(false)) {
			return new RemoteJob(name, RemoteStatus.IN_PROGRESS, 0, null, null, null);
		}
		if (operation.path("error").isObject()) {
			String code = Objects.requireNonNullElse(ProviderHttp.text(operation, "error", "code"), "generation_failed");
			String message = Objects.requireNonNullElse(ProviderHttp.text(operation, "error", "message"), "no reason given");
			return failed(name, "veo_error_" + code, "Veo could not generate this video: " + message);
		}
		JsonNode result = result(operation);
		if (!samples(result).isEmpty()) {
			return new RemoteJob(name, RemoteStatus.COMPLETED, 100, null, null, null);
		}
		if (result.path("raiMediaFilteredCount").asInt(0) > 0 || result.path("raiMediaFilteredReasons").isArray()) {
			List<String> reasons = new ArrayList<>();
			result.path("raiMediaFilteredReasons").values().forEach((reason) -> reasons.add(reason.asString()));
			return failed(name, "safety_filtered", "Google's safety filters removed the video"
					+ (reasons.isEmpty() ? "." : ": " + String.join("; ", reasons)) + " Try a different prompt or image.");
		}
		return failed(name, "no_video", "Veo finished without returning a video.");
	}

	private static RemoteJob failed(String name, String code, String message) {
		return new RemoteJob(name, RemoteStatus.FAILED, 0, new RemoteJob.RemoteError(code, message), null, null);
	}

	/** Gemini nests the result under generateVideoResponse; Vertex puts videos at the top of the response. */
	private JsonNode result(JsonNode operation) {
		JsonNode response = operation.path("response");
		return this.vertex ? response : response.path("generateVideoResponse");
	}

	private List<JsonNode> samples(JsonNode result) {
		List<JsonNode> videos = new ArrayList<>();
		if (this.vertex) {
			result.path("videos").values().forEach(videos::add);
		}
		else {
			result.path("generatedSamples").values().forEach((sample) -> videos.add(sample.path("video")));
		}
		return videos;
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "Veo offers only the video"));
		}
		return operation(remoteId).flatMap((operation) -> {
			List<JsonNode> videos = samples(result(operation));
			if (videos.isEmpty()) {
				return Mono.error(this.http.permanent("content_unavailable", "Veo returned no video to download"));
			}
			JsonNode video = videos.get(0);
			String mime = Objects.requireNonNullElse(ProviderHttp.firstNonNull(ProviderHttp.text(video, "mimeType"),
					ProviderHttp.text(video, "encoding")), "video/mp4");
			String inline = ProviderHttp.firstNonNull(ProviderHttp.text(video, "bytesBase64Encoded"),
					ProviderHttp.text(video, "encodedVideo"));
			if (inline != null) {
				byte[] bytes = Base64.getDecoder().decode(inline);
				return Mono.just(new RemoteContent(mime, (long) bytes.length,
						Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes))));
			}
			String uri = ProviderHttp.text(video, "uri");
			if (uri == null) {
				return Mono.error(this.http.permanent("content_unavailable", "Veo stored the video at "
						+ ProviderHttp.text(video, "gcsUri") + ", which Reelay cannot read; configure no storage URI"));
			}
			// The file URI wants the same key; redirects to storage are followed.
			return authorized(this.http.client().get().uri(URI.create(uri)))
				.flatMap((download) -> this.http.download(download, "video/mp4"));
		});
	}

	/** Vertex takes an OAuth access token (fetched, or cached, before the call); the Gemini API its own key header. */
	private Mono<WebClient.RequestHeadersSpec<?>> authorized(WebClient.RequestHeadersSpec<?> request) {
		if (this.vertex) {
			return this.tokens.token().map((token) -> request.header("Authorization", "Bearer " + token));
		}
		return Mono.just(request.header("x-goog-api-key", Objects.requireNonNullElse(this.settings.apiKey(), "")));
	}

}
