package dev.reelay.job;

import java.util.Arrays;

import com.fasterxml.jackson.annotation.JsonValue;

/** The event names clients see on the SSE streams. */
public enum JobEventType {

	QUEUED("job.queued"), SUBMITTED("job.submitted"), PROGRESS("job.progress"), COMPLETED("job.completed"),
	FAILED("job.failed"), CANCELED("job.canceled"),
	/** A finished job was deleted by its tenant: its video is gone and the API no longer finds it. */
	DELETED("job.deleted");

	private final String wireName;

	JobEventType(String wireName) {
		this.wireName = wireName;
	}

	@JsonValue
	public String wireName() {
		return this.wireName;
	}

	public boolean isTerminal() {
		// A deleted job had ended before; nothing follows its deletion either.
		return this == COMPLETED || this == FAILED || this == CANCELED || this == DELETED;
	}

	public static JobEventType fromWireName(String wireName) {
		return Arrays.stream(values())
			.filter((type) -> type.wireName.equals(wireName))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("Unknown event type " + wireName));
	}

	/** The event a change from one state to another produces; a job that only gains progress emits PROGRESS. */
	static JobEventType forStatus(JobStatus status) {
		return switch (status) {
			case QUEUED -> QUEUED;
			case SUBMITTED -> SUBMITTED;
			case SUBMITTING, RECONCILING, IN_PROGRESS, DOWNLOADING -> PROGRESS;
			case COMPLETED -> COMPLETED;
			case FAILED -> FAILED;
			case CANCELED -> CANCELED;
		};
	}

}
