package dev.reelay.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The one state machine every provider's states map onto. The allowed transitions live here and
 * nowhere else; progress updates within a state are transitions to the same state.
 */
public enum JobStatus {

	QUEUED, SUBMITTING, RECONCILING, SUBMITTED, IN_PROGRESS, DOWNLOADING, COMPLETED, FAILED, CANCELED;

	private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
			QUEUED, EnumSet.of(QUEUED, SUBMITTING, FAILED, CANCELED),
			// SUBMITTING -> QUEUED: the provider refused the create outright (429), so nothing was billed.
			SUBMITTING, EnumSet.of(SUBMITTING, QUEUED, RECONCILING, SUBMITTED, IN_PROGRESS, DOWNLOADING, FAILED, CANCELED),
			// RECONCILING: a create whose outcome is unknown; it is looked for before anything is sent again.
			RECONCILING, EnumSet.of(RECONCILING, QUEUED, SUBMITTING, SUBMITTED, IN_PROGRESS, DOWNLOADING, FAILED, CANCELED),
			SUBMITTED, EnumSet.of(SUBMITTED, IN_PROGRESS, DOWNLOADING, FAILED, CANCELED),
			IN_PROGRESS, EnumSet.of(IN_PROGRESS, DOWNLOADING, FAILED, CANCELED),
			DOWNLOADING, EnumSet.of(DOWNLOADING, COMPLETED, FAILED, CANCELED),
			COMPLETED, EnumSet.noneOf(JobStatus.class),
			FAILED, EnumSet.noneOf(JobStatus.class),
			CANCELED, EnumSet.noneOf(JobStatus.class));

	public boolean canTransitionTo(JobStatus next) {
		return ALLOWED.get(this).contains(next);
	}

	public boolean isTerminal() {
		return this == COMPLETED || this == FAILED || this == CANCELED;
	}

	@JsonValue
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static JobStatus fromValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

	/** Statuses after submission began: the provider may be working (and billing) for this job. */
	public static Set<JobStatus> running() {
		return EnumSet.of(SUBMITTING, RECONCILING, SUBMITTED, IN_PROGRESS, DOWNLOADING);
	}

	/** Statuses a job is in while the dispatcher still owes it work. */
	public static Set<JobStatus> active() {
		return EnumSet.complementOf(EnumSet.of(COMPLETED, FAILED, CANCELED));
	}

}
