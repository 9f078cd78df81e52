package dev.reelay.storage;

/** A video safely in storage: where, what type, how long and its SHA-256. */
public record StoredVideo(String location, String contentType, long length, String sha256) {
}
