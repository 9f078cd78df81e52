package dev.reelay.provider.taskapi;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.RemoteStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One task API as data, read from a YAML file (docs/providers.md "Task APIs"). Paths into JSON answers are dotted
 * ({@code data.task_result.videos.0.url}); URL paths are appended to the base URL and may hold {@code {id}}.
 */
record TaskApiSpec(@Nullable String displayName, @Nullable String contract, String baseUrl, Auth auth,
		@DefaultValue Map<String, String> secrets, @DefaultValue Map<String, String> headers,
		@DefaultValue List<String> imageInputs, Create create, @Nullable Create imageCreate, Status status,
		Result result, @Nullable Cancel cancel, @Nullable BodyCheck bodyCheck, @DefaultValue Errors errors,
		@DefaultValue Callback callback) {

	/**
	 * How every call proves who it is: {@code bearer} ({@code Authorization: Bearer <key>}), {@code header} (the key
	 * alone in {@code header}, e.g. {@code x-goog-api-key}), {@code jwt-hs256} (a JWT minted per call, issuer the
	 * secret {@code issuer}, signed with the secret {@code signing-secret}, valid for {@code lifetime}, its
	 * not-before {@code notBeforeSkew} in the past for clock skew) or {@code none}.
	 */
	record Auth(@DefaultValue("bearer") Scheme scheme, @DefaultValue("Authorization") String header,
			@DefaultValue("key") String issuer, @DefaultValue("secret-key") String signingSecret,
			@DefaultValue("30m") Duration lifetime, @DefaultValue("5s") Duration notBeforeSkew) {

		enum Scheme {

			BEARER, HEADER, JWT_HS256, NONE

		}

	}

	/**
	 * The create call: a JSON body template (placeholders in docs/providers.md), the path of the task id in the answer,
	 * and, where the answer names the URL to poll (OpenRouter's {@code polling_url}), the path of that URL.
	 * {@code idPrefix} and {@code statusPath} only on {@code imageCreate}, for APIs that poll an image job elsewhere.
	 */
	record Create(@DefaultValue("POST") String method, String path, @DefaultValue Map<String, String> headers,
			String body, String id, @Nullable String statusUrl, @Nullable String idPrefix,
			@Nullable String statusPath) {
	}

	/**
	 * The poll: where, which field holds the state word, what each word means in Reelay's terms (a word not listed
	 * is {@code UNKNOWN}, never an error), and where a failure's code and message are.
	 */
	record Status(@DefaultValue("GET") String method, String path, String state, Map<String, RemoteStatus> states,
			@Nullable String progress, @DefaultValue List<String> errorCode,
			@DefaultValue List<String> errorMessage) {
	}

	/**
	 * Where the video is: a URL in the finished task's answer, or ({@code resolve}) a second call that turns an id
	 * from that answer into the URL (MiniMax V1's file retrieve). {@code sendAuth}: the download carries the key (only
	 * ever to the API's own host).
	 */
	record Result(@Nullable String url, @DefaultValue("false") boolean sendAuth, @Nullable Resolve resolve) {
	}

	record Resolve(String id, String path, String url) {
	}

	/**
	 * A cancel call. {@code whenStates}: the provider's state words in which it cancels; in any other the call is not
	 * sent (ModelArk's DELETE of a finished task deletes it, of a running one fails).
	 */
	record Cancel(@DefaultValue("POST") String method, String path, @DefaultValue List<String> whenStates) {
	}

	/**
	 * An envelope whose own code says success ({@code code} at the path is one of {@code success}), also in HTTP
	 * 200 answers (Kling, MiniMax V1). Other codes fail: {@code rateLimited} and {@code retryable} as such, the rest
	 * permanent.
	 */
	record BodyCheck(String code, List<String> success, @Nullable String message,
			@DefaultValue List<String> rateLimited, @DefaultValue List<String> retryable) {
	}

	/**
	 * HTTP error bodies (their code and message are found where every family looks): the codes that are final even
	 * though they come with a 429 or 5xx (Kling's account problems, a used-up plan quota).
	 */
	record Errors(@DefaultValue List<String> permanentCodes) {
	}

	/**
	 * Callbacks: the paths of the task id and of its state in one (the first present wins) and how it is signed: {@code none} (a hint
	 * only, taken when the instance asks for callbacks) or {@code timestamped-hmac} (HMAC-SHA256 over
	 * {@code <t><separator><body>} in {@code header} as {@code t=...,v1=...}, OpenRouter's scheme).
	 */
	record Callback(@DefaultValue List<String> id, @DefaultValue List<String> state,
			@DefaultValue("none") Signature signature, @DefaultValue("X-Signature") String header,
			@DefaultValue(",") String separator, @Nullable String deliveryIdHeader) {

		enum Signature {

			NONE, TIMESTAMPED_HMAC

		}

	}

}
