/**
 * The job module's internals, hidden from other modules: the SQL of the jobs table ({@link JobRepository}, its row
 * mapping {@link JobRows}), group commit ({@link JobWrites}), request hashing for idempotency, list cursors, job
 * metrics and queue gauges, and the queue's implementation ({@link LeasedJobQueue}).
 */
@NullMarked
package dev.reelay.job.internal;

import org.jspecify.annotations.NullMarked;
