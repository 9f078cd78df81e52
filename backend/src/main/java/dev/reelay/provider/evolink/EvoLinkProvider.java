package dev.reelay.provider.evolink;

import java.math.BigDecimal;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.ProviderUsage;
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
 * One EvoLink instance (see docs/providers/evolink.md): {@code POST /v1/videos/generations} with a body per
 * upstream family, {@code GET /v1/tasks/{id}} for status and result URLs (valid for 24 hours, so the video is
 * fetched as soon as the task completes), and the credits EvoLink holds or charges recorded as the job's usage.
 */
public final class EvoLinkProvider implements VideoProvider {

	/** EvoLink's task ids all start so; anything else is not one of its tasks. */
	static final String TASK_PREFIX = "task-unified-";

	/** The older error envelope puts the HTTP status in {@code error.code}; these are the newer names for them. */
	private static final Map<String, String> NUMERIC_CODES = Map.of("400", "invalid_request", "401", "unauthorized",
			"402", "insufficient_quota", "403", "permission_denied", "404", "task_not_found", "429",
			"rate_limit_exceeded", "500", "internal_error", "502", "upstream_error", "503", "service_unavailable");

	/** Task failures the request itself caused: sending it again unchanged fails again. */
	private static final Set<String> FIX_THE_INPUT = Set.of("invalid_parameters", "image_processing_error",
			"image_dimension_mismatch", "invalid_request");

	private final ProviderHttp http;

	private final String baseUrl;

	private final ProviderSettings.Instance settings;

	private final FamilyTraits traits;

	public EvoLinkProvider(ProviderHttp http, String baseUrl, ProviderSettings.Instance settings, FamilyTraits traits) {
		String callback = settings.options().get("callback-url");
		if (callback != null && !callback.isBlank() && !callback.startsWith("https://")) {
			// EvoLink calls back only to HTTPS; saying so at startup beats every job failing with a 400.
			throw new IllegalStateException("Provider instance '" + http.provider()
					+ "': EvoLink calls back only to https:// URLs, but options.callback-url is " + callback);
		}
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
			Map<String, Object> body = EvoLinkBodies.of(request);
			String callback = this.settings.options().get("callback-url");
			if (callback != null && !callback.isBlank()) {
				body.put("callback_url", callback);
			}
			return call(this.http.client().post().uri(URI.create(this.baseUrl + "/v1/videos/generations"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)).map((task) -> {
					String id = ProviderHttp.text(task, "id");
					if (id == null) {
						throw this.http.acceptedWithoutId(
								this.http.provider() + " accepted the task but returned no id");
					}
					// A new task is queued unless EvoLink says it already runs. The echoed model may be EvoLink's
					// upstream name for it; only the id is kept.
					RemoteJob created = toRemoteJob(id, task);
					return (created.status() == RemoteStatus.IN_PROGRESS) ? created
							: new RemoteJob(id, RemoteStatus.QUEUED, 0, null, null, null, created.usage());
				});
		});
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return task(remoteId).map((task) -> toRemoteJob(remoteId, task));
	}

	private Mono<JsonNode> task(String remoteId) {
		return Mono.defer(() -> call(this.http.client().get().uri(this.baseUrl + "/v1/tasks/{id}", remoteId)));
	}

	private RemoteJob toRemoteJob(String remoteId, JsonNode task) {
		String status = Objects.requireNonNullElse(ProviderHttp.text(task, "status"), "");
		int progress = Math.max(0, Math.min(100, task.path("progress").asInt(0)));
		ProviderUsage usage = usage(task);
		return switch (status) {
			case "pending" -> new RemoteJob(remoteId, RemoteStatus.QUEUED, progress, null, null, null, usage);
			case "processing" -> new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS, progress, null, null, null, usage);
			case "completed" -> new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null, usage);
			// EvoLink does not charge failed tasks and releases the hold, whatever it last reported.
			case "failed" -> new RemoteJob(remoteId, RemoteStatus.FAILED, progress, failure(task), null, null,
					ProviderUsage.merge(usage, new ProviderUsage(null, null, BigDecimal.ZERO, null, null)));
			case "cancelled", "canceled" -> new RemoteJob(remoteId, RemoteStatus.CANCELED, progress, null, null, null,
					usage);
			default -> new RemoteJob(remoteId, RemoteStatus.UNKNOWN, progress, null, null, null, usage);
		};
	}

	private RemoteJob.RemoteError failure(JsonNode task) {
		String code = codeName(ProviderHttp.firstNonNull(ProviderHttp.text(task, "error", "code"),
				ProviderHttp.text(task, "error", "type")), "generation_failed");
		String detail = ProviderHttp.firstNonNull(ProviderHttp.text(task, "error", "message"),
				ProviderHttp.text(task, "error"));
		String provider = this.http.provider();
		String said = (detail != null) ? ": " + detail : ".";
		String message;
		if (ErrorClass.ofCode(code) == ErrorClass.MODERATION) {
			message = provider + "'s content checks blocked this request. Try a different prompt or image.";
		}
		else if (code.equals("request_cancelled")) {
			message = provider + " cancelled the task" + said;
		}
		else if (FIX_THE_INPUT.contains(code)) {
			message = provider + " could not use the request as given (" + code + ")" + said;
		}
		else {
			// Upstream timeouts, exhausted capacity and the like; EvoLink does not charge for a failed task.
			message = provider + " could not generate this video (" + code + ")" + said
					+ " Failed tasks are not charged; retrying the job may work.";
		}
		return new RemoteJob.RemoteError(code, message);
	}

	/**
	 * What the task says about cost. The create answer has {@code usage} (billing rule, credits held); later
	 * answers may add a charge under {@code usage} or {@code billing}, or nothing at all.
	 */
	static @Nullable ProviderUsage usage(JsonNode task) {
		JsonNode usage = task.path("usage");
		ProviderUsage reported = new ProviderUsage(ProviderHttp.text(usage, "billing_rule"),
				number(usage.path("credits_reserved")),
				ProviderHttp.firstNonNull(number(usage.path("credits_used")),
						number(usage.path("cost").path("credits")), number(task.path("billing").path("charged_credits"))),
				number(usage.path("estimated_cost")), number(usage.path("cost").path("usd")));
		boolean empty = reported.billingRule() == null && reported.creditsReserved() == null
				&& reported.creditsCharged() == null && reported.estimatedCost() == null && reported.costUsd() == null;
		return empty ? null : reported;
	}

	/** A number, or a string holding one; anything else is not reported. */
	private static @Nullable BigDecimal number(JsonNode node) {
		if (node.isNumber()) {
			return node.decimalValue();
		}
		if (node.isString()) {
			try {
				return new BigDecimal(node.stringValue().trim());
			}
			catch (NumberFormatException notANumber) {
				return null;
			}
		}
		return null;
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		if (variant != ContentVariant.VIDEO) {
			return Mono.error(this.http.permanent("variant_unsupported", "EvoLink offers only the video"));
		}
		// Result URLs are valid for 24 hours: read them from the task each time rather than keep one.
		return task(remoteId).flatMap((task) -> {
			String url = ProviderHttp.firstNonNull(ProviderHttp.text(task, "results", "0"),
					ProviderHttp.text(task, "result_data", "0", "video_url"));
			if (url == null) {
				return Mono.error(this.http.permanent("content_unavailable", this.http.provider()
						+ " lists no result for this task (result URLs are valid for 24 hours)"));
			}
			// Public, short-lived URLs: no key goes to the CDN.
			return this.http.download(this.http.client().get().uri(URI.create(url)), "video/mp4");
		});
	}

	/** Every call carries the key; failures are named in EvoLink's newer words whatever envelope they came in. */
	private Mono<JsonNode> call(WebClient.RequestHeadersSpec<?> request) {
		return this.http.json(request.header("Authorization", "Bearer " + this.settings.apiKey()))
			.onErrorMap(ProviderException.class, (error) -> {
				String code = codeName(error.code(), error.code());
				return code.equals(error.code()) ? error : new ProviderException(error.kind(), code, error.getMessage(),
						error.httpStatus(), error.retryAfter(), error.requestId(), error.getCause());
			});
	}

	/** A code as EvoLink's newer docs name it: older answers give the HTTP status as a number instead. */
	private static String codeName(@Nullable String code, String fallback) {
		if (code == null) {
			return fallback;
		}
		return code.chars().allMatch(Character::isDigit) ? NUMERIC_CODES.getOrDefault(code, "evolink_" + code) : code;
	}

}
