package dev.reelay.job;

import java.util.Arrays;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which due jobs are claimed first when there are more than free slots; within a priority, the longest due. */
public enum JobPriority {

	LOW(-1), NORMAL(0), HIGH(1);

	private final int rank;

	JobPriority(int rank) {
		this.rank = rank;
	}

	/** The stored value; higher is claimed first. */
	public int rank() {
		return this.rank;
	}

	@JsonValue
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

	static JobPriority ofRank(int rank) {
		return Arrays.stream(values())
			.filter((priority) -> priority.rank == rank)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("Unknown priority rank " + rank));
	}

	static JobPriority fromValue(String value) {
		return Arrays.stream(values())
			.filter((priority) -> priority.value().equals(value.strip().toLowerCase(Locale.ROOT)))
			.findFirst()
			.orElseThrow(() -> new InvalidJobRequestException("priority",
					"priority must be one of low, normal, high; got '" + value + "'"));
	}

}
