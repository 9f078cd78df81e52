package dev.reelay.provider.gemini;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One interaction's skeleton (see {@link InteractionBodies}) in Reelay's terms: its state (gemini-interactions.md
 * section 4) and where its video is.
 */
final class Interaction {

	private final JsonNode body;

	Interaction(JsonNode body) {
		this.body = body;
	}

	@Nullable String id() {
		return ProviderHttp.text(this.body, "id");
	}

	RemoteJob toRemoteJob(String fallbackId) {
		String id = Objects.requireNonNullElse(id(), fallbackId);
		String status = Objects.requireNonNullElse(ProviderHttp.text(this.body, "status"), "").toLowerCase(Locale.ROOT);
		return switch (status) {
			case "queued" -> new RemoteJob(id, RemoteStatus.QUEUED, 0, null, null, null);
			case "in_progress" -> new RemoteJob(id, RemoteStatus.IN_PROGRESS, 0, null, null, null);
			case "completed" -> (video() != null) ? new RemoteJob(id, RemoteStatus.COMPLETED, 100, null, null, null)
					// A safety refusal looks like success: completed with text and no video.
					: failed(id, "no_video", "Gemini finished without a video, which is how it declines a prompt"
							+ modelText() + " Try a different prompt or image.");
			case "failed" -> failed(id, errorCode("generation_failed"), "Gemini could not generate this video: "
					+ errorMessage());
			case "cancelled" -> new RemoteJob(id, RemoteStatus.CANCELED, 0, null, null, null);
			case "incomplete", "budget_exceeded", "requires_action" -> failed(id, "gemini_" + status,
					"Gemini stopped the generation (" + status.replace('_', ' ') + "): " + errorMessage());
			// A state Google adds later is kept as unknown and polled on, never taken for an end.
			default -> new RemoteJob(id, RemoteStatus.UNKNOWN, 0, null, null, null);
		};
	}

	private static RemoteJob failed(String id, String code, String message) {
		return new RemoteJob(id, RemoteStatus.FAILED, 0, new RemoteJob.RemoteError(code, message), null, null);
	}

	/** The SDK reads {@code errors[]}, third-party clients a single {@code error}: both are read. */
	private String errorCode(String fallback) {
		String code = ProviderHttp.firstNonNull(ProviderHttp.text(this.body, "error", "code"),
				ProviderHttp.text(this.body, "errors", "0", "code"), ProviderHttp.text(this.body, "finish_reason"));
		if (code == null) {
			return fallback;
		}
		// The SDK's codes are URIs; the last segment is the word.
		String word = code.substring(code.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
		return word.isEmpty() ? fallback : "gemini_" + word;
	}

	private String errorMessage() {
		return Objects.requireNonNullElse(ProviderHttp.firstNonNull(ProviderHttp.text(this.body, "error", "message"),
				ProviderHttp.text(this.body, "errors", "0", "message"), ProviderHttp.text(this.body, "finish_reason")),
				"no reason given");
	}

	/** What the model said instead of a video, shortened; a refusal usually explains itself there. */
	private String modelText() {
		List<String> texts = new ArrayList<>();
		for (JsonNode step : this.body.path("steps").values()) {
			if ("model_output".equals(ProviderHttp.text(step, "type"))) {
				step.path("content").values().forEach((part) -> {
					String text = ProviderHttp.text(part, "text");
					if (text != null) {
						texts.add(text.strip());
					}
				});
			}
		}
		String said = String.join(" ", texts);
		if (said.isEmpty()) {
			return ".";
		}
		return ": \"" + ((said.length() > 300) ? said.substring(0, 300) + "…" : said) + "\".";
	}

	/**
	 * Where the video is: {@code output_video} when the answer has it (the guide reads it over REST, though it calls
	 * it an SDK convenience), else the first video part of a {@code model_output} step.
	 */
	@Nullable Video video() {
		Video top = video(this.body.path("output_video"), List.of("output_video"));
		if (top != null) {
			return top;
		}
		JsonNode steps = this.body.path("steps");
		for (int s = 0; s < steps.size(); s++) {
			JsonNode step = steps.path(s);
			if (!"model_output".equals(ProviderHttp.text(step, "type"))) {
				continue;
			}
			JsonNode content = step.path("content");
			for (int c = 0; c < content.size(); c++) {
				JsonNode part = content.path(c);
				String type = ProviderHttp.text(part, "type");
				String mime = ProviderHttp.text(part, "mime_type");
				boolean isVideo = "video".equals(type) || (type == null && mime != null && mime.startsWith("video/"));
				Video video = isVideo ? video(part, List.of("steps", Integer.toString(s), "content", Integer.toString(c)))
						: null;
				if (video != null) {
					return video;
				}
			}
		}
		return null;
	}

	private static @Nullable Video video(JsonNode part, List<String> path) {
		if (!part.isObject()) {
			return null;
		}
		String mime = Objects.requireNonNullElse(ProviderHttp.text(part, "mime_type"), "video/mp4");
		String uri = ProviderHttp.text(part, "uri");
		if (uri != null) {
			return new Video(mime, uri, null);
		}
		if (ProviderHttp.text(part, "data") != null) {
			List<String> dataPath = new ArrayList<>(path);
			dataPath.add("data");
			return new Video(mime, null, List.copyOf(dataPath));
		}
		return null;
	}

	/** A video as a Files API {@code uri} to download, or inline base64 at {@code dataPath} in the interaction. */
	record Video(String mimeType, @Nullable String uri, @Nullable List<String> dataPath) {
	}

}
