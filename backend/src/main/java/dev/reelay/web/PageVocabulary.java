package dev.reelay.web;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The server's job vocabulary (statuses, which of them are terminal or running, event names) as JSON for a
 * {@code <script type="application/json">} in the page, so the page's modules read them instead of keeping a copy
 * that drifts (as {@code reconciling} once did). Computed once: the enums do not change while running.
 */
@Component
class PageVocabulary {

	private final String json;

	PageVocabulary(JsonMapper mapper) {
		Map<String, Object> vocabulary = new LinkedHashMap<>();
		vocabulary.put("statuses", Arrays.stream(JobStatus.values()).map(JobStatus::value).toList());
		vocabulary.put("terminal", values(Arrays.stream(JobStatus.values()).filter(JobStatus::isTerminal).toList()));
		vocabulary.put("running", values(List.copyOf(JobStatus.running())));
		vocabulary.put("event_types", Arrays.stream(JobEventType.values()).map(JobEventType::wireName).toList());
		// No "</script>" can end the element early, whatever a value ever holds.
		this.json = mapper.writeValueAsString(vocabulary).replace("<", "\\u003c");
	}

	private static List<String> values(List<JobStatus> statuses) {
		return statuses.stream().sorted().map(JobStatus::value).toList();
	}

	String json() {
		return this.json;
	}

}
