package dev.reelay.job;

/** Where the finished video lives in Reelay's own storage. */
public record StoredContent(String location, String contentType, long length, String sha256) {
}
