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

	@Test
	void deliversContiguousEventsAndAdvances() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(batch(100, 11, 12, 13), T0))).containsExactly(11L, 12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void holdsBackEventsBehindAnIdWhoseTransactionMayStillCommit() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(batch(100, 11, 13, 14), T0))).containsExactly(11L);
		assertThat(cursor.isWaiting()).isTrue();
		assertThat(cursor.needsHorizon()).isTrue();
		cursor.horizon(120);
		// Transaction 100 (older than the horizon) is still open: keep waiting.
		assertThat(cursor.accept(batch(100, 13, 14), T0.plusMillis(100))).isEmpty();
		// The missing event committed: everything comes through in order.
		assertThat(ids(cursor.accept(batch(104, 12, 13, 14), T0.plusMillis(200)))).containsExactly(12L, 13L, 14L);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void skipsAnIdOnceEveryTransactionOlderThanTheHorizonHasEnded() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(batch(100, 12), T0)).isEmpty();
		cursor.horizon(120);
		assertThat(cursor.accept(batch(119, 12), T0.plusMillis(30))).isEmpty();
		// Newer transactions may be open, but none that could hold 11.
		assertThat(ids(cursor.accept(batch(120, 12, 13), T0.plusMillis(60)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void withoutAHorizonNoSnapshotIsTakenAsProofOfARollback() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(batch(500, 12), T0)).isEmpty();
		// However old every open transaction looks, the one holding 11 may have started after the last to finish.
		assertThat(cursor.accept(batch(900, 12), T0.plusMillis(30))).isEmpty();
		assertThat(cursor.needsHorizon()).isTrue();
	}

	@Test
	void givesUpOnAnIdAfterTheGraceWhenAnOldTransactionHoldsTheHorizonBack() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(cursor.accept(batch(100, 12), T0)).isEmpty();
		cursor.horizon(120);
		assertThat(cursor.accept(batch(100, 12), T0.plusMillis(999))).isEmpty();
		assertThat(ids(cursor.accept(batch(100, 12, 13), T0.plusSeconds(1)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
	}

	@Test
	void eachHoleNeedsItsOwnHorizon() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(batch(100, 12), T0)).isEmpty();
		cursor.horizon(120);
		// 11 settles; the transaction holding 13 may be newer than the first horizon.
		assertThat(ids(cursor.accept(batch(125, 12, 14), T0.plusMillis(30)))).containsExactly(12L);
		assertThat(cursor.isWaiting()).isTrue();
		assertThat(cursor.needsHorizon()).isTrue();
		assertThat(cursor.accept(batch(130, 14), T0.plusMillis(60))).isEmpty();
		cursor.horizon(140);
		assertThat(ids(cursor.accept(batch(140, 14), T0.plusMillis(90)))).containsExactly(14L);
	}

	private static JobEventLog.Batch batch(long xmin, long... ids) {
		UUID job = UUID.randomUUID();
		List<JobEvent> events = Arrays.stream(ids)
			.mapToObj((id) -> new JobEvent(id, job, JobEventType.PROGRESS, JobStatus.IN_PROGRESS, "sim-video",
					"simulator", "{}", T0))
			.toList();
		return new JobEventLog.Batch(events, xmin);
	}

	private static List<Long> ids(List<JobEvent> events) {
		return events.stream().map(JobEvent::id).toList();
	}

}
