package dev.reelay.simulator;

import java.util.List;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.server.ServerRequest;

import dev.reelay.simulator.RequestFields.Field;

/**
 * A validated create request. Limits, defaults and messages follow the provider's spec, so a client that
 * passes here would pass upstream (and one that fails upstream fails here the same way).
 */
record VideoRequest(String prompt, String model, String seconds, String size, boolean inputReference) {

	static final List<String> SECONDS = List.of("4", "8", "12");

	static final List<String> SIZES = List.of("720x1280", "1280x720", "1024x1792", "1792x1024");

	static final String DEFAULT_MODEL = "sora-2";

	static final int MAX_PROMPT_LENGTH = 32_000;

	private static final Set<String> CREATE_PARAMETERS = Set.of("prompt", "model", "seconds", "size",
			"input_reference");

	static Mono<VideoRequest> read(ServerRequest request) {
		return RequestFields.read(request, CREATE_PARAMETERS).map(VideoRequest::from);
	}

	/** Remix takes only a new prompt; everything else comes from the source video. */
	static Mono<String> readRemixPrompt(ServerRequest request) {
		return RequestFields.read(request, Set.of("prompt")).map(VideoRequest::prompt);
	}

	private static VideoRequest from(RequestFields fields) {
		String model = fields.string("model", "a string");
		if (model != null && model.isEmpty()) {
			throw tooShort("model");
		}
		// The model is an open enum upstream: unknown names validate, so any non-empty string is accepted.
		return new VideoRequest(prompt(fields), (model != null) ? model : DEFAULT_MODEL,
				fields.oneOf("seconds", SECONDS, "4"), fields.oneOf("size", SIZES, "720x1280"),
				inputReference(fields));
	}

	private static String prompt(RequestFields fields) {
		String prompt = fields.string("prompt", "a string");
		if (prompt == null) {
			throw fields.isExplicitNull("prompt") ? ApiError.invalidType("prompt", "a string", "null")
					: ApiError.missing("prompt");
		}
		// Limits are in characters, so count code points rather than UTF-16 units.
		int length = prompt.codePointCount(0, prompt.length());
		if (length == 0) {
			throw tooShort("prompt");
		}
		if (length > MAX_PROMPT_LENGTH) {
			throw ApiError.badRequest("Invalid 'prompt': string too long. Expected a string with maximum length "
					+ MAX_PROMPT_LENGTH + ", but got a string with length " + length + " instead.", "prompt",
					"string_above_max_length");
		}
		return prompt;
	}

	private static ApiError tooShort(String param) {
		return ApiError.badRequest("Invalid '" + param + "': string too short. Expected a string with minimum "
				+ "length 1, but got an empty string instead.", param, "string_below_min_length");
	}

	/**
	 * A file part, or an object with exactly one of {@code image_url} and {@code file_id}. The simulator
	 * neither fetches nor inspects the reference; it only records that one was given.
	 */
	private static boolean inputReference(RequestFields fields) {
		Field reference = fields.get("input_reference");
		if (reference == null) {
			return false;
		}
		if (reference.isFile()) {
			return true;
		}
		if (!reference.isObject()) {
			throw ApiError.invalidType("input_reference", "an object", reference.kind());
		}
		Map<String, Field> members = reference.members();
		for (Map.Entry<String, Field> member : members.entrySet()) {
			String param = "input_reference." + member.getKey();
			if (!Set.of("image_url", "file_id").contains(member.getKey())) {
				throw ApiError.badRequest("Unknown parameter: '" + param + "'.", param, "unknown_parameter");
			}
			if (member.getValue().text() == null) {
				throw ApiError.invalidType(param, "a string", member.getValue().kind());
			}
		}
		if (members.size() != 1) {
			throw ApiError.badRequest("Invalid 'input_reference': provide exactly one of 'image_url' or 'file_id'.",
					"input_reference", "invalid_value");
		}
		return true;
	}

}
