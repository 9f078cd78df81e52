package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GapAwareCursorTests {

	private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

	private static final boolean OPEN = false;

	private static final boolean ENDED = true;

	@Test
	void deliversContiguousEventsAndAdvances() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(events(11, 12, 13), OPEN, T0))).containsExactly(11L, 12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void holdsBackEventsBehindAnIdWhoseTransactionMayStillCommit() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(ids(cursor.accept(events(11, 13, 14), OPEN, T0))).containsExactly(11L);
		assertThat(cursor.isWaiting()).isTrue();
		// Most holes fill by themselves a moment later: no horizon yet.
		assertThat(cursor.needsHorizon()).isFalse();
		assertThat(cursor.accept(events(13, 14), OPEN, T0.plusMillis(50))).isEmpty();
		assertThat(cursor.needsHorizon()).isTrue();
		cursor.horizon(120);
		assertThat(cursor.accept(events(13, 14), OPEN, T0.plusMillis(100))).isEmpty();
		// The missing event committed: everything comes through in order.
		assertThat(ids(cursor.accept(events(12, 13, 14), OPEN, T0.plusMillis(200)))).containsExactly(12L, 13L, 14L);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void skipsAnIdOnceEveryTransactionBelowTheHorizonHasEnded() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(events(12), OPEN, T0)).isEmpty();
		cursor.horizon(120);
		assertThat(cursor.accept(events(12), OPEN, T0.plusMillis(30))).isEmpty();
		assertThat(ids(cursor.accept(events(12, 13), ENDED, T0.plusMillis(60)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void aCheckWithoutAHorizonProvesNothing() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(events(12), ENDED, T0)).isEmpty();
		assertThat(cursor.accept(events(12), ENDED, T0.plusMillis(30))).isEmpty();
		assertThat(cursor.horizon()).isZero();
	}

	@Test
	void givesUpOnAnIdAfterTheGraceWhenItsTransactionCannotBeSeenToEnd() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(cursor.accept(events(12), OPEN, T0)).isEmpty();
		cursor.horizon(120);
		assertThat(cursor.accept(events(12), OPEN, T0.plusMillis(999))).isEmpty();
		assertThat(ids(cursor.accept(events(12, 13), OPEN, T0.plusSeconds(1)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
	}

	@Test
	void eachHoleNeedsItsOwnHorizon() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(10));
		assertThat(cursor.accept(events(12), OPEN, T0)).isEmpty();
		cursor.horizon(120);
		// 11 settles; the transaction holding 13 may have started after the first horizon was taken.
		assertThat(ids(cursor.accept(events(12, 14), ENDED, T0.plusMillis(30)))).containsExactly(12L);
		assertThat(cursor.isWaiting()).isTrue();
		assertThat(cursor.horizon()).isZero();
		assertThat(cursor.accept(events(14), ENDED, T0.plusMillis(60))).isEmpty();
		assertThat(cursor.needsHorizon()).isTrue();
		cursor.horizon(140);
		assertThat(ids(cursor.accept(events(14), ENDED, T0.plusMillis(90)))).containsExactly(14L);
	}

	private static List<JobEvent> events(long... ids) {
		UUID job = UUID.randomUUID();
		return Arrays.stream(ids)
			.mapToObj((id) -> new JobEvent(id, job, CallerTenant.LOCAL, JobEventType.PROGRESS, JobStatus.IN_PROGRESS, "sim-video",
					"simulator", "{}", T0))
			.toList();
	}

	private static List<Long> ids(List<JobEvent> events) {
		return events.stream().map(JobEvent::id).toList();
	}

}
