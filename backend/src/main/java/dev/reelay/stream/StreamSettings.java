package dev.reelay.stream;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SSE streams and the log tail behind them.
 * <ul>
 * <li>{@code recheck}: how often the tail reads the log without being told to, the safety net for a lost
 * notification.</li>
 * <li>{@code gapCheck} / {@code gapGrace}: while an event id is taken but not yet visible (its transaction is still
 * open), delivery waits behind it; the tail looks again every {@code gapCheck} and, if PostgreSQL cannot say
 * whether that transaction ended, gives up on the id after {@code gapGrace}.</li>
 * <li>{@code readBatch}: events read at once; keep it below {@code buffer}, since a batch reaches a subscriber
 * faster than any connection drains it.</li>
 * <li>{@code buffer}: events held per subscriber; a subscriber whose buffer is full is closed (it resumes from the
 * log with its last event id); no event is ever dropped from a buffer.</li>
 * <li>{@code listenerCheck}: how often the LISTEN connection is probed, so a silently dead one is replaced.</li>
 * <li>{@code retention}: how long events are kept for resuming; older ones are pruned every
 * {@code pruneInterval} in batches of {@code pruneBatch}, and resuming from before them gets a reset.</li>
 * <li>{@code maxFilterValues}: the most values one filter parameter of {@code /api/v1/events} may list.</li>
 * </ul>
 */
@ConfigurationProperties("reelay.stream")
record StreamSettings(@DefaultValue("15s") Duration heartbeat, @DefaultValue("3s") Duration clientRetry,
		@DefaultValue("2s") Duration recheck, @DefaultValue("25ms") Duration gapCheck,
		@DefaultValue("10s") Duration gapGrace, @DefaultValue("200") int readBatch, @DefaultValue("1024") int buffer,
		@DefaultValue("30s") Duration listenerCheck, @DefaultValue("7d") Duration retention,
		@DefaultValue("10m") Duration pruneInterval, @DefaultValue("10000") int pruneBatch,
		@DefaultValue("100") int maxFilterValues) {
}
