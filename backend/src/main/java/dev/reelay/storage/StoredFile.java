package dev.reelay.storage;

/** A file safely in storage (a video or its thumbnail): where, what type, how long and its SHA-256. */
public record StoredFile(String location, String contentType, long length, String sha256) {
}
