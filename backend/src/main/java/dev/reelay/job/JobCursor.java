package dev.reelay.job;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** An opaque page cursor: the position of the last job a client has seen, newest-first. */
record JobCursor(Instant createdAt, UUID id) {

	String encode() {
		String raw = this.createdAt.toString() + "|" + this.id;
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
	}

	static JobCursor decode(String cursor) {
		try {
			String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			int bar = raw.indexOf('|');
			return new JobCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
		}
		catch (RuntimeException ex) {
			throw new InvalidJobRequestException("cursor", "cursor is not one this API returned");
		}
	}

	static JobCursor of(Job job) {
		return new JobCursor(job.createdAt(), job.id());
	}

}
