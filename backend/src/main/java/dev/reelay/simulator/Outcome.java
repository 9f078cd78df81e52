package dev.reelay.simulator;

/** How a simulated job ends, decided once at create time and stored with the row. */
enum Outcome {

	COMPLETED("completed"), FAILED("failed"), MODERATION_BLOCKED("moderation_blocked");

	private final String column;

	Outcome(String column) {
		this.column = column;
	}

	String column() {
		return this.column;
	}

	static Outcome fromColumn(String column) {
		for (Outcome outcome : values()) {
			if (outcome.column.equals(column)) {
				return outcome;
			}
		}
		throw new IllegalArgumentException("Unknown simulator outcome: " + column);
	}

}
