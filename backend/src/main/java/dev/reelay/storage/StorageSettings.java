package dev.reelay.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which store keeps videos and thumbnails, and its settings. {@code directory} is the filesystem store's home;
 * {@code s3} is read only when {@code type} is {@code s3}. Downloads cut off by a crash leave {@code .part} files
 * behind; those older than {@code stalePartAge} (much longer than any download, since another instance may share
 * the directory) are deleted at start.
 */
@ConfigurationProperties("reelay.storage")
record StorageSettings(@DefaultValue("filesystem") Type type, @DefaultValue("./data/videos") Path directory,
		@DefaultValue S3 s3, @DefaultValue("1h") Duration stalePartAge) {

	enum Type {

		FILESYSTEM, S3

	}

	/**
	 * An S3-compatible bucket. No {@code endpoint} means AWS itself; {@code pathStyle} addresses the bucket in the
	 * path (most self-hosted stores want that). Keys come from the environment only; without them the AWS default
	 * credentials chain is asked.
	 */
	record S3(@Nullable URI endpoint, @DefaultValue("us-east-1") String region, @Nullable String bucket,
			@DefaultValue("false") boolean pathStyle, @DefaultValue("") String prefix, @Nullable String accessKey,
			@Nullable String secretKey) {

		@Override
		public String toString() {
			// Never print the keys.
			return "S3[endpoint=" + this.endpoint + ", region=" + this.region + ", bucket=" + this.bucket
					+ ", pathStyle=" + this.pathStyle + ", prefix=" + this.prefix + "]";
		}

	}

}
