package dev.reelay.job.web;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on images uploaded with a job. 10 MB covers every provider's documented maximum for a starting frame; the
 * types are the ones all image-to-video providers accept. Each side must be within {@code minSide}..{@code maxSide}
 * pixels: smaller frames make no usable video, and larger ones exceed what providers take (8K is the most any
 * documents).
 */
@ConfigurationProperties("reelay.jobs.image")
record JobInputSettings(@DefaultValue("10MB") DataSize maxSize,
		@DefaultValue({ "image/png", "image/jpeg", "image/webp" }) List<String> types,
		@DefaultValue("64") int minSide, @DefaultValue("8192") int maxSide) {

	/** The limit as people write it: {@code 10 MB}, {@code 64 KB}. */
	String maxSizeText() {
		long bytes = this.maxSize.toBytes();
		return (bytes % (1024 * 1024) == 0) ? (bytes / (1024 * 1024)) + " MB"
				: (bytes % 1024 == 0) ? (bytes / 1024) + " KB" : bytes + " bytes";
	}

}
