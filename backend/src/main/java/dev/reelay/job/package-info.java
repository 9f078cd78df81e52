/**
 * Jobs and their append-only event log. The API other modules use is this package: the model ({@link Job},
 * {@link JobStatus}, {@link JobEvent} and the values they carry), {@link JobStore} (submit, find, list, change,
 * cancel, delete: the only writer of job rows), {@link JobQueue} (claims, leases and poll-soon, for dispatch and
 * webhooks) and {@link JobEventLog} (the one owner of {@code job_events}: append, read, prune, notices).
 * {@code internal} holds the SQL, group commit and metrics; {@code web} the REST API, whose named interface
 * {@code web} ({@code JobSubmissions} and the types it takes) other web entrances use.
 */
@ApplicationModule(allowedDependencies = { "catalog", "provider::view", "storage", "support", "tenant" })
@NullMarked
package dev.reelay.job;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
