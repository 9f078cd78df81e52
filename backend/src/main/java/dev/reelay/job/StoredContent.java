package dev.reelay.job;

import org.jspecify.annotations.Nullable;

/**
 * Where the finished video lives in Reelay's own storage, and its thumbnail where the provider offered one and it
 * could be saved (a job completes without one rather than wait for it).
 */
public record StoredContent(String location, String contentType, long length, String sha256,
		@Nullable Thumbnail thumbnail) {

	public StoredContent(String location, String contentType, long length, String sha256) {
		this(location, contentType, length, sha256, null);
	}

	/** A still image of the video, kept like the video itself (with its SHA-256). */
	public record Thumbnail(String location, String contentType, long length, String sha256) {
	}

}
