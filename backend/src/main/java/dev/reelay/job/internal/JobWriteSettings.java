package dev.reelay.job.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Group commit of job changes (see {@link JobWrites}): up to {@code batchSize} changes per transaction, at most
 * {@code concurrency} transactions at once (each holds a pooled connection), and at most {@code capacity} changes
 * waiting; a change beyond that is refused with a transient error rather than queued.
 */
@ConfigurationProperties("reelay.jobs.writes")
record JobWriteSettings(@DefaultValue("128") int batchSize, @DefaultValue("4") int concurrency,
		@DefaultValue("4096") int capacity) {

	JobWriteSettings {
		if (batchSize < 1 || concurrency < 1 || capacity < batchSize) {
			throw new IllegalArgumentException("reelay.jobs.writes: batch-size and concurrency must be at least 1 "
					+ "and capacity at least batch-size");
		}
	}

}
