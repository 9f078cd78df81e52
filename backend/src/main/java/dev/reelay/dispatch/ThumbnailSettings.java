package dev.reelay.dispatch;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Thumbnails are best effort: up to {@code attempts} tries, spaced by a backoff from {@code retryBase}, all within
 * {@code timeout}; then the job completes without one. The download step holds the job's lease, so the lease must
 * cover the video's download timeout plus this timeout.
 */
@ConfigurationProperties("reelay.dispatch.thumbnail")
record ThumbnailSettings(@DefaultValue("3") int attempts, @DefaultValue("1s") Duration retryBase,
		@DefaultValue("8s") Duration timeout) {
}
