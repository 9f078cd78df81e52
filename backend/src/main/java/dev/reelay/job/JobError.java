package dev.reelay.job;

/** Why a job failed: a stable code for programs and a sentence for people. */
public record JobError(String code, String message, boolean retryable) {
}
