package dev.reelay.openai;

import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A video's id is its job's id behind OpenAI's {@code video_} prefix. The bare job id is taken too, so that a job
 * created on the native API can be read here. ASCII hex only (as {@code StrictParameters} asks of every id).
 */
final class VideoIds {

	static final String PREFIX = "video_";

	private static final Pattern UUID_FORM = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private VideoIds() {
	}

	static String of(UUID job) {
		return PREFIX + job;
	}

	static @Nullable String ofNullable(@Nullable UUID job) {
		return (job != null) ? of(job) : null;
	}

	/** The job id, or null when {@code id} is not a video id this API gave. */
	static @Nullable UUID parse(String id) {
		String bare = id.startsWith(PREFIX) ? id.substring(PREFIX.length()) : id;
		return UUID_FORM.matcher(bare).matches() ? UUID.fromString(bare) : null;
	}

	/** The job id, or a 404 in OpenAI's shape naming {@code param}. */
	static UUID require(String id, String param) {
		UUID job = parse(id);
		if (job == null) {
			throw OpenAiException.notFound(param, "No video found with id '" + id + "'");
		}
		return job;
	}

}
