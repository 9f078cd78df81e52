package dev.reelay.provider.taskapi;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where an operator's own task API files are: every {@code *.yaml} in {@code directory} is read at startup, and one
 * named like a bundled file replaces it. Unset: only the bundled ones.
 */
@ConfigurationProperties("reelay.task-apis")
public record TaskApiSettings(@Nullable String directory) {
}
