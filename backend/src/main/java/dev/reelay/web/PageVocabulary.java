package dev.reelay.web;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import dev.reelay.job.web.UploadedImages;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The server's job vocabulary as JSON for a {@code <script type="application/json">} in the page: every status with
 * its words and whether it is terminal or running, every event name with its words, and the limits on a starting
 * image. The page's modules read it
 * instead of keeping a copy that drifts (as {@code reconciling} once did). The words sit in exhaustive switches, so
 * a status or event added to the enums does not compile until it has words here. Computed once: the enums do not
 * change while running.
 *
 * <p>
 * No prices: the page shows what the API says a job costs ({@code POST /api/v1/jobs/estimate} before, the job's
 * own costs after) and never works a price out, so it needs none of the catalog's price tables.
 */
@Component
class PageVocabulary {

	private final String json;

	private final String imageAccept;

	PageVocabulary(JsonMapper mapper, UploadedImages images) {
		Set<JobStatus> running = JobStatus.running();
		Map<String, Object> vocabulary = new LinkedHashMap<>();
		vocabulary.put("statuses", Arrays.stream(JobStatus.values())
			.map((status) -> new StatusWords(status.value(), label(status), status.isTerminal(), running.contains(status)))
			.toList());
		vocabulary.put("event_types", Arrays.stream(JobEventType.values())
			.map((type) -> new EventWords(type.wireName(), label(type)))
			.toList());
		// The starting image's limits as the API applies them (reelay.jobs.image.*), so the form's own check and its
		// file picker agree with what the server takes.
		UploadedImages.Limits image = images.limits();
		vocabulary.put("image", new ImageWords(image.maxBytes(), image.maxSizeText(), image.types()));
		this.imageAccept = String.join(",", image.types());
		// No "</script>" can end the element early, whatever a value ever holds.
		this.json = mapper.writeValueAsString(vocabulary).replace("<", "\\u003c");
	}

	String json() {
		return this.json;
	}

	/** The file picker's {@code accept}: the image types the API takes. */
	String imageAccept() {
		return this.imageAccept;
	}

	/** What the page calls a status: on badges, in the status filter and in announcements. */
	static String label(JobStatus status) {
		return switch (status) {
			case QUEUED -> "Queued";
			case SUBMITTING -> "Submitting";
			// Looking for a create whose outcome was lost before sending it again.
			case RECONCILING -> "Checking";
			case SUBMITTED -> "Submitted";
			case IN_PROGRESS -> "Generating";
			case DOWNLOADING -> "Saving";
			case COMPLETED -> "Completed";
			case FAILED -> "Failed";
			case CANCELED -> "Canceled";
		};
	}

	/** What a job page's timeline calls an event (progress rows show the status instead). */
	static String label(JobEventType type) {
		return switch (type) {
			case QUEUED -> "Queued";
			case SUBMITTED -> "Accepted by the provider";
			case PROGRESS -> "Progress";
			case COMPLETED -> "Completed";
			case FAILED -> "Failed";
			case CANCELED -> "Canceled";
			case DELETED -> "Deleted";
		};
	}

	record StatusWords(String value, String label, boolean terminal, boolean running) {
	}

	record EventWords(String value, String label) {
	}

	record ImageWords(long maxBytes, String maxSizeText, List<String> types) {
	}

}
