package dev.reelay.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEventType;
import org.junit.jupiter.api.Test;

import static dev.reelay.stream.TestMessages.event;
import static dev.reelay.stream.TestMessages.progress;
import static org.assertj.core.api.Assertions.assertThat;

class SubscriberBufferTests {

	private final UUID a = UUID.randomUUID();

	private final UUID b = UUID.randomUUID();

	@Test
	void keepsEverythingWhileThereIsRoom() {
		SubscriberBuffer buffer = new SubscriberBuffer(4);
		assertThat(buffer.offer(progress(1, this.a))).isTrue();
		assertThat(buffer.offer(progress(2, this.a))).isTrue();
		assertThat(buffer.offer(progress(3, this.a))).isTrue();
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L);
	}

	/** A stream that falls behind is closed and resumes from the log; its queue never skips an event. */
	@Test
	void whenFullRefusesAndDropsNothingNotEvenSupersededProgress() {
		SubscriberBuffer buffer = new SubscriberBuffer(4);
		buffer.offer(progress(1, this.a));
		buffer.offer(event(2, this.b, JobEventType.SUBMITTED));
		buffer.offer(progress(3, this.a));
		buffer.offer(progress(4, this.b));
		assertThat(buffer.offer(progress(5, this.a))).isFalse();
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L, 4L);
	}

	@Test
	void progressBeforeATerminalEventOfTheSameJobStaysToo() {
		SubscriberBuffer buffer = new SubscriberBuffer(3);
		buffer.offer(progress(1, this.a));
		buffer.offer(progress(2, this.b));
		buffer.offer(event(3, this.a, JobEventType.COMPLETED));
		assertThat(buffer.offer(progress(4, this.b))).isFalse();
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L);
	}

	@Test
	void refusesRatherThanDropATerminalOrStateEvent() {
		SubscriberBuffer buffer = new SubscriberBuffer(3);
		buffer.offer(event(1, this.a, JobEventType.QUEUED));
		buffer.offer(event(2, this.b, JobEventType.COMPLETED));
		buffer.offer(progress(3, this.a));
		assertThat(buffer.offer(event(4, UUID.randomUUID(), JobEventType.FAILED))).isFalse();
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L);
	}

	@Test
	void neverHoldsMoreThanItsCapacityWhateverArrives() {
		SubscriberBuffer buffer = new SubscriberBuffer(8);
		List<UUID> jobs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
		for (long id = 1; id <= 100_000; id++) {
			buffer.offer(progress(id, jobs.get((int) (id % jobs.size()))));
		}
		assertThat(buffer.highWater()).isEqualTo(8);
		// The first eight, in order: once it refused, the subscriber is closed and resumes after the last it got.
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
	}

	@Test
	void aClosingNoticeReplacesWhatWaits() {
		SubscriberBuffer buffer = new SubscriberBuffer(3);
		buffer.offer(progress(1, this.a));
		buffer.offer(progress(2, this.b));
		Outgoing notice = TestMessages.MESSAGES.close("slow_consumer", "too slow");
		buffer.replaceAllWith(notice);
		assertThat(buffer.poll()).isSameAs(notice);
		assertThat(buffer.poll()).isNull();
	}

	private static List<Long> ids(SubscriberBuffer buffer) {
		List<Long> ids = new ArrayList<>();
		buffer.forEach((message) -> ids.add(message.id()));
		return ids;
	}

}
