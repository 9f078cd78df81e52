package dev.reelay.provider;

import java.time.Instant;

/**
 * A generation found at the provider that a create whose answer was lost could have started, with the time the
 * provider says it was created: the dispatcher needs that time to tell whether another job's create could have
 * started it instead.
 */
public record SubmittedGeneration(RemoteJob remote, Instant createdAt) {
}
