package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GapAwareCursorTests {

	private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

	// Snapshot bounds: transaction 100 is open while the batch is read.
	private static final long OPEN_XMIN = 100;

	private static final long OPEN_XMAX = 105;

	@Test
	void deliversContiguousEventsAndAdvances() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 11, 12, 13), T0))).containsExactly(11L, 12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void holdsBackEventsBehindAnIdWhoseTransactionMayStillCommit() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 11, 13, 14), T0))).containsExactly(11L);
		assertThat(cursor.isWaiting()).isTrue();
		// Transaction 100 is still open a moment later: keep waiting.
		assertThat(cursor.accept(batch(OPEN_XMIN, 110, 13, 14), T0.plusMillis(100))).isEmpty();
		// The missing event committed: everything comes through in order.
		assertThat(ids(cursor.accept(batch(104, 110, 12, 13, 14), T0.plusMillis(200)))).containsExactly(12L, 13L, 14L);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void skipsAnIdOnceEveryTransactionThatCouldHoldItHasEnded() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 12), T0)).isEmpty();
		// Newer transactions (105 and up) are open, but all that were open when 12 became visible have ended.
		assertThat(ids(cursor.accept(batch(OPEN_XMAX, 120, 12, 13), T0.plusMillis(30)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void skipsAnIdAtOnceWhenNoTransactionIsOpen() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(batch(200, 200, 12, 13), T0))).containsExactly(12L, 13L);
	}

	@Test
	void givesUpOnAnIdAfterTheGraceWhenAnOldTransactionHoldsTheHorizonBack() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 12), T0)).isEmpty();
		assertThat(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 12), T0.plusMillis(999))).isEmpty();
		assertThat(ids(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 12, 13), T0.plusSeconds(1)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
	}

	@Test
	void eachHoleNeedsItsOwnHorizon() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(batch(OPEN_XMIN, OPEN_XMAX, 12), T0)).isEmpty();
		// 11 settles; 14 became visible later, so 13 may belong to a transaction newer than the first horizon.
		assertThat(ids(cursor.accept(batch(OPEN_XMAX, 130, 12, 14), T0.plusMillis(30)))).containsExactly(12L);
		assertThat(cursor.isWaiting()).isTrue();
		assertThat(ids(cursor.accept(batch(130, 131, 14), T0.plusMillis(60)))).containsExactly(14L);
	}

	private static JobEventLog.Batch batch(long xmin, long xmax, long... ids) {
		UUID job = UUID.randomUUID();
		List<JobEvent> events = Arrays.stream(ids)
			.mapToObj((id) -> new JobEvent(id, job, JobEventType.PROGRESS, JobStatus.IN_PROGRESS, "sim-video",
					"simulator", "{}", T0))
			.toList();
		return new JobEventLog.Batch(events, xmin, xmax);
	}

	private static List<Long> ids(List<JobEvent> events) {
		return events.stream().map(JobEvent::id).toList();
	}

}
