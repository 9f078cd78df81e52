package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GapAwareCursorTests {

	private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

	@Test
	void deliversContiguousEventsAndAdvances() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(ids(cursor.accept(events(11, 12, 13), T0))).containsExactly(11L, 12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void holdsBackEventsBehindAHoleThatMayStillCommit() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(ids(cursor.accept(events(11, 13, 14), T0))).containsExactly(11L);
		assertThat(cursor.isWaiting()).isTrue();
		// The missing event committed: everything comes through in order.
		assertThat(ids(cursor.accept(events(12, 13, 14), T0.plusMillis(200)))).containsExactly(12L, 13L, 14L);
		assertThat(cursor.isWaiting()).isFalse();
	}

	@Test
	void skipsAHoleOnceItIsOlderThanTheGrace() {
		GapAwareCursor cursor = new GapAwareCursor(10, Duration.ofSeconds(1));
		assertThat(cursor.accept(events(12), T0)).isEmpty();
		assertThat(cursor.accept(events(12), T0.plusMillis(999))).isEmpty();
		assertThat(ids(cursor.accept(events(12, 13), T0.plusSeconds(1)))).containsExactly(12L, 13L);
		assertThat(cursor.position()).isEqualTo(13);
	}

	private static List<JobEvent> events(long... ids) {
		UUID job = UUID.randomUUID();
		return java.util.Arrays.stream(ids)
			.mapToObj((id) -> new JobEvent(id, job, JobEventType.PROGRESS, "{}", T0))
			.toList();
	}

	private static List<Long> ids(List<JobEvent> events) {
		return events.stream().map(JobEvent::id).toList();
	}

}
