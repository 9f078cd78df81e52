package dev.reelay.job;

/** An image a client uploaded with a job, already checked for type and size. */
public record ImageUpload(String contentType, byte[] bytes) {
}
