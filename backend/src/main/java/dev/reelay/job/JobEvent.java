package dev.reelay.job;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of the event log: {@code payload} is the job's JSON as it was right after the change. {@code tenantId},
 * {@code status}, {@code model} and {@code provider} are what stream filters look at, so they need neither parse the
 * payload nor ask the database per event.
 */
public record JobEvent(long id, UUID jobId, UUID tenantId, JobEventType type, JobStatus status, String model, String provider,
		String payload, Instant createdAt) {
}
