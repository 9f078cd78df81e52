package dev.reelay.job.internal;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventType;
import org.jspecify.annotations.Nullable;

/**
 * One checked change waiting to be written: the job as it should be stored (its {@code version} is the one the
 * change started from), whether the lease goes with it, whether it ends the job, and the event it appends, if any.
 */
public record JobChange(Job job, boolean releaseLease, boolean ending, @Nullable JobEventType event) {
}
