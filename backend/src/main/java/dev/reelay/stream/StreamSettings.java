package dev.reelay.stream;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SSE timing. {@code recheck} is how often a stream reads the log even without a wake-up, the safety net for a
 * missed notice; {@code gapGrace} is how long a hole in event ids may be an uncommitted write before it is taken
 * for a rolled-back one.
 */
@ConfigurationProperties("reelay.stream")
record StreamSettings(@DefaultValue("15s") Duration heartbeat, @DefaultValue("2s") Duration recheck,
		@DefaultValue("3s") Duration clientRetry, @DefaultValue("1s") Duration gapGrace,
		@DefaultValue("500") int readBatch) {
}
