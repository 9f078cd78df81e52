package dev.reelay.stream;

/** Whether a stream can resume after the event id a client sent, and if not, why (in the reset's words). */
enum ResumeVerdict {

	RESUMABLE("", ""),

	EXPIRED("expired", "Events after this id are older than the retention window and may be gone; refetch the "
			+ "jobs you show. The stream continues with what happens from now on."),

	UNKNOWN("unknown", "This id was never sent by this server (the database may have been replaced); refetch the "
			+ "jobs you show. The stream continues with what happens from now on.");

	private final String reason;

	private final String message;

	ResumeVerdict(String reason, String message) {
		this.reason = reason;
		this.message = message;
	}

	String reason() {
		return this.reason;
	}

	String message() {
		return this.message;
	}

}
