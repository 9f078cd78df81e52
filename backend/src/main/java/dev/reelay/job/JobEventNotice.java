package dev.reelay.job;

import java.util.UUID;

/** Said after a commit that appended an event: a wake-up, never the event itself. */
public record JobEventNotice(long eventId, UUID jobId, JobEventType type) {
}
