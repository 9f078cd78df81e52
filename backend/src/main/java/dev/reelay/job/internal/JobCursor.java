package dev.reelay.job.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.reelay.job.Job;
import dev.reelay.job.web.JobRequestValidator;
import dev.reelay.support.BadRequestException;

/**
 * An opaque page cursor: the position of the last job a client has seen, and the order it was listing in (newest
 * first unless {@code oldestFirst}), so a cursor is never read in the other order.
 */
public record JobCursor(Instant createdAt, UUID id, boolean oldestFirst) {

	private static final String OLDEST_FIRST = "|asc";

	private static final Duration LEEWAY = Duration.ofDays(1);

	private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	public String encode() {
		String raw = this.createdAt.toString() + "|" + this.id + (this.oldestFirst ? OLDEST_FIRST : "");
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
	}

	public static JobCursor decode(String cursor) {
		try {
			String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			int bar = raw.indexOf('|');
			Instant createdAt = Instant.parse(raw.substring(0, bar));
			boolean oldestFirst = raw.endsWith(OLDEST_FIRST);
			String id = raw.substring(bar + 1, raw.length() - (oldestFirst ? OLDEST_FIRST.length() : 0));
			// Only what encode() writes: a job's creation time (never before Reelay's not_before floor, never years
			// ahead; PostgreSQL cannot compare with the far ends of Instant's range) and an id in ASCII hex.
			if (createdAt.isBefore(JobRequestValidator.EARLIEST) || createdAt.isAfter(Instant.now().plus(LEEWAY))
					|| !ID.matcher(id).matches()) {
				throw new IllegalArgumentException("not a cursor this API wrote");
			}
			return new JobCursor(createdAt, UUID.fromString(id), oldestFirst);
		}
		catch (RuntimeException ex) {
			throw new BadRequestException("cursor", "cursor is not one this API returned");
		}
	}

	public static JobCursor of(Job job, boolean oldestFirst) {
		return new JobCursor(job.createdAt(), job.id(), oldestFirst);
	}

}
