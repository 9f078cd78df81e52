package dev.reelay.job;

import java.time.Instant;
import java.util.UUID;

/** One row of the event log: {@code payload} is the job's JSON as it was right after the change. */
public record JobEvent(long id, UUID jobId, JobEventType type, String payload, Instant createdAt) {
}
