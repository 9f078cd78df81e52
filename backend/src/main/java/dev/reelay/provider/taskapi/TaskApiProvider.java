package dev.reelay.provider.taskapi;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriUtils;

/**
 * One provider instance of a task API described by a {@link TaskApiSpec}. Like every adapter it never retries: a
 * create that failed retryably (5xx, timeout, no id in a success answer) has an unknown outcome, and as a task API
 * offers no reliable way here to look its jobs up, the dispatcher does not send it again.
 */
final class TaskApiProvider implements VideoProvider {

	/** Poll URLs named by create answers, for this process's lifetime; the fixed status path is the fallback. */
	private static final int REMEMBERED_POLL_URLS = 10_000;

	private final ProviderHttp http;

	private final String api;

	private final TaskApiSpec spec;

	private final URI base;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	private final TaskApiAuth auth;

	private final BodyTemplate createBody;

	private final @Nullable BodyTemplate imageCreateBody;

	private final Clock clock;

	private final Map<String, URI> pollUrls = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, URI> eldest) {
			return size() > REMEMBERED_POLL_URLS;
		}

	});

	TaskApiProvider(ProviderHttp http, String api, TaskApiSpec spec, String baseUrl, ProviderSettings.Instance settings,
			TaskApiAuth auth, Clock clock) {
		this.http = http;
		this.api = api;
		this.spec = spec;
		this.baseUrl = baseUrl;
		this.base = URI.create(baseUrl + "/");
		this.settings = settings;
		this.auth = auth;
		this.clock = clock;
		this.createBody = BodyTemplate.parse(spec.create().body(), api + ": create.body");
		this.imageCreateBody = (spec.imageCreate() != null)
				? BodyTemplate.parse(spec.imageCreate().body(), api + ": image-create.body") : null;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			String refusal = imageRefusal(request.image());
			if (refusal != null) {
				return Mono.error(this.http.permanent("image_input_unsupported", refusal));
			}
			boolean withImage = request.image() != null && this.spec.imageCreate() != null;
			TaskApiSpec.Create create = withImage ? Objects.requireNonNull(this.spec.imageCreate()) : this.spec.create();
			BodyTemplate template = withImage ? Objects.requireNonNull(this.imageCreateBody) : this.createBody;
			JsonNode body = template.render(values(request));
			return call(create.method(), url(create.path(), null), create.headers(), body).map((answer) -> {
				String id = ProviderHttp.text(answer, TaskApiSpecs.path(create.id()));
				if (id == null) {
					throw this.http.acceptedWithoutId(this.http.provider() + " accepted the job but its answer has no "
							+ create.id());
				}
				String remoteId = Objects.requireNonNullElse(create.idPrefix(), "") + id;
				if (create.statusUrl() != null) {
					rememberPollUrl(remoteId, ProviderHttp.text(answer, TaskApiSpecs.path(create.statusUrl())));
				}
				return new RemoteJob(remoteId, RemoteStatus.QUEUED, 0, null, null, null);
			});
		});
	}

	/** Why this API cannot take the image as given, in plain words; null when it can (or when there is none). */
	private @Nullable String imageRefusal(@Nullable ImageInput image) {
		List<String> kinds = this.spec.imageInputs();
		if (image == null || kinds.isEmpty()) {
			return (image != null) ? this.http.provider() + " takes no starting image" : null;
		}
		String kind = (image instanceof ImageInput.Url) ? "url" : "upload";
		if (kinds.contains(kind)) {
			return null;
		}
		return this.http.provider() + (kind.equals("url") ? " takes no image URLs: upload the image"
				: " fetches images itself: send the image as a URL");
	}

	private Map<String, Object> values(GenerationRequest request) {
		Map<String, Object> values = new HashMap<>();
		values.put("prompt", request.prompt());
		values.put("model", request.remoteModel());
		values.put("duration", request.durationSeconds());
		values.put("ratio", request.aspectRatio());
		values.put("resolution", request.resolution());
		putIfPresent(values, "seed", request.seed());
		putIfPresent(values, "negative_prompt", request.negativePrompt());
		if (request.image() instanceof ImageInput.Url url) {
			values.put("image", url.url());
			values.put("image_url", url.url());
			values.put("image_url_or_base64", url.url());
		}
		else if (request.image() instanceof ImageInput.Upload upload) {
			values.put("image", upload.dataUri());
			values.put("image_data_uri", upload.dataUri());
			values.put("image_base64", upload.base64());
			values.put("image_url_or_base64", upload.base64());
		}
		String callback = this.settings.options().get("callback-url");
		if (callback != null && !callback.isBlank()) {
			values.put("callback_url", callback);
		}
		return values;
	}

	private static void putIfPresent(Map<String, Object> values, String name, @Nullable Object value) {
		if (value != null && !(value instanceof String text && text.isBlank())) {
			values.put(name, value);
		}
	}

	/** Only a URL on the API's own host is followed: the key goes with every poll. */
	private void rememberPollUrl(String remoteId, @Nullable String pollUrl) {
		if (pollUrl == null) {
			return;
		}
		try {
			URI resolved = this.base.resolve(pollUrl);
			if (Objects.equals(resolved.getAuthority(), this.base.getAuthority())) {
				this.pollUrls.put(remoteId, resolved);
			}
		}
		catch (IllegalArgumentException unreadable) {
			// the fixed status path still works
		}
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return record(remoteId).map((answer) -> toRemoteJob(remoteId, answer));
	}

	private Mono<JsonNode> record(String remoteId) {
		return Mono.defer(() -> {
			TaskApiSpec.Create image = this.spec.imageCreate();
			URI remembered = this.pollUrls.get(remoteId);
			if (remembered != null) {
				return call(this.spec.status().method(), remembered, Map.of(), null);
			}
			if (image != null && image.idPrefix() != null && image.statusPath() != null
					&& remoteId.startsWith(image.idPrefix())) {
				return call(this.spec.status().method(),
						url(image.statusPath(), remoteId.substring(image.idPrefix().length())), Map.of(), null);
			}
			return call(this.spec.status().method(), url(this.spec.status().path(), remoteId), Map.of(), null);
		});
	}

	private RemoteJob toRemoteJob(String remoteId, JsonNode answer) {
		TaskApiSpec.Status status = this.spec.status();
		String word = ProviderHttp.text(answer, TaskApiSpecs.path(status.state()));
		RemoteStatus state = state(word);
		int progress = switch (state) {
			case COMPLETED -> 100;
			case QUEUED, IN_PROGRESS -> progress(answer);
			default -> 0;
		};
		RemoteJob.RemoteError error = null;
		if (state == RemoteStatus.FAILED) {
			String code = Objects.requireNonNullElse(first(answer, status.errorCode()), this.api + "_" + word);
			String message = first(answer, status.errorMessage());
			error = new RemoteJob.RemoteError(code, this.http.provider() + " could not generate this video"
					+ ((message != null) ? ": " + message : " (" + word + ")."));
		}
		return new RemoteJob(remoteId, state, progress, error, null, null);
	}

	/** The state a word means here; a word the file does not list is UNKNOWN, as is a missing one. */
	private RemoteStatus state(@Nullable String word) {
		if (word == null) {
			return RemoteStatus.UNKNOWN;
		}
		RemoteStatus exact = this.spec.status().states().get(word);
		if (exact != null) {
			return exact;
		}
		// MiniMax documents "success" and shows "Success": a word's case does not change its meaning.
		return this.spec.status().states().entrySet().stream()
			.filter((entry) -> entry.getKey().equalsIgnoreCase(word))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(RemoteStatus.UNKNOWN);
	}

	private int progress(JsonNode answer) {
		String path = this.spec.status().progress();
		String value = (path != null) ? ProviderHttp.text(answer, TaskApiSpecs.path(path)) : null;
		if (value == null) {
			return 0;
		}
		try {
			return (int) Math.max(0, Math.min(99, Math.round(Double.parseDouble(value))));
		}
		catch (NumberFormatException notANumber) {
			return 0;
		}
	}

	static @Nullable String first(JsonNode answer, List<String> paths) {
		for (String path : paths) {
			String value = ProviderHttp.text(answer, TaskApiSpecs.path(path));
			if (value != null) {
				return value;
			}
		}
		return null;
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", this.http.provider() + " offers only the video"));
		}
		return record(remoteId).flatMap(this::resultUrl).flatMap((url) -> {
			URI uri = this.base.resolve(url);
			boolean withKey = this.spec.result().sendAuth()
					&& Objects.equals(uri.getAuthority(), this.base.getAuthority());
			WebClient.RequestHeadersSpec<?> download = this.http.client().get().uri(uri).headers((headers) -> {
				if (withKey) {
					this.auth.apply(headers);
				}
			});
			return this.http.download(download, "video/mp4");
		});
	}

	private Mono<String> resultUrl(JsonNode answer) {
		TaskApiSpec.Result result = this.spec.result();
		if (result.resolve() == null) {
			return urlAt(answer, Objects.requireNonNull(result.url()));
		}
		TaskApiSpec.Resolve resolve = result.resolve();
		String id = ProviderHttp.text(answer, TaskApiSpecs.path(resolve.id()));
		if (id == null) {
			return Mono.error(unavailable(resolve.id()));
		}
		return call("GET", url(resolve.path(), id), Map.of(), null).flatMap((file) -> urlAt(file, resolve.url()));
	}

	private Mono<String> urlAt(JsonNode answer, String path) {
		String url = ProviderHttp.text(answer, TaskApiSpecs.path(path));
		return (url != null) ? Mono.just(url) : Mono.error(unavailable(path));
	}

	private ProviderException unavailable(String path) {
		return this.http.permanent("content_unavailable", this.http.provider() + " names no result at " + path
				+ " for this task (result URLs expire; download soon after it finishes)");
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		TaskApiSpec.Cancel cancel = this.spec.cancel();
		if (cancel == null) {
			return Mono.just(CancelOutcome.UNSUPPORTED);
		}
		String taskId = taskId(remoteId);
		Mono<CancelOutcome> send = call(cancel.method(), url(cancel.path(), taskId), Map.of(), null)
			.thenReturn(CancelOutcome.CANCELED);
		if (cancel.whenStates().isEmpty()) {
			return send;
		}
		return record(remoteId).flatMap((answer) -> {
			String word = ProviderHttp.text(answer, TaskApiSpecs.path(this.spec.status().state()));
			if (word != null && cancel.whenStates().contains(word)) {
				return send;
			}
			return Mono.just(switch (state(word)) {
				case COMPLETED, FAILED, CANCELED -> CancelOutcome.ALREADY_FINISHED;
				default -> CancelOutcome.UNSUPPORTED;
			});
		});
	}

	private String taskId(String remoteId) {
		TaskApiSpec.Create image = this.spec.imageCreate();
		return (image != null && image.idPrefix() != null && remoteId.startsWith(image.idPrefix()))
				? remoteId.substring(image.idPrefix().length()) : remoteId;
	}

	private URI url(String path, @Nullable String id) {
		String filled = (id != null) ? path.replace("{id}", UriUtils.encode(id, StandardCharsets.UTF_8)) : path;
		return URI.create(this.baseUrl + filled);
	}

	/** One call with the API's headers and credentials, its envelope's own code checked. */
	private Mono<JsonNode> call(String method, URI uri, Map<String, String> headers, @Nullable JsonNode body) {
		WebClient.RequestBodySpec request = this.http.client()
			.method(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)))
			.uri(uri)
			.headers((all) -> {
				this.spec.headers().forEach(all::set);
				headers.forEach(all::set);
				this.auth.apply(all);
			});
		WebClient.RequestHeadersSpec<?> ready = (body != null)
				? request.contentType(MediaType.APPLICATION_JSON).bodyValue(ProviderHttp.write(body)) : request;
		return this.http.json(ready).onErrorMap(ProviderException.class, this::finalWhenListed).map(this::checked);
	}

	private ProviderException finalWhenListed(ProviderException error) {
		if (error.kind() != ProviderException.Kind.PERMANENT && this.spec.errors().permanentCodes().contains(error.code())) {
			return new ProviderException(ProviderException.Kind.PERMANENT, error.code(), error.getMessage(),
					error.httpStatus(), null, error.requestId(), error.getCause());
		}
		return error;
	}

	private JsonNode checked(JsonNode answer) {
		TaskApiSpec.BodyCheck check = this.spec.bodyCheck();
		if (check == null) {
			return answer;
		}
		String code = ProviderHttp.text(answer, TaskApiSpecs.path(check.code()));
		if (code == null || check.success().contains(code)) {
			return answer;
		}
		String message = (check.message() != null) ? ProviderHttp.text(answer, TaskApiSpecs.path(check.message())) : null;
		String detail = this.http.provider() + " refused the request (code " + code + ")"
				+ ((message != null) ? ": " + message : "");
		if (check.rateLimited().contains(code)) {
			throw new ProviderException(ProviderException.Kind.RATE_LIMITED, "rate_limited",
					this.http.provider() + " is rate limiting requests (code " + code + "); Reelay waits and tries again.",
					200, null, null, null);
		}
		if (check.retryable().contains(code)) {
			throw new ProviderException(ProviderException.Kind.RETRYABLE, "provider_error", detail, 200, null, null,
					null);
		}
		throw new ProviderException(ProviderException.Kind.PERMANENT, this.api + "_" + code, detail, 200, null, null,
				null);
	}

}
