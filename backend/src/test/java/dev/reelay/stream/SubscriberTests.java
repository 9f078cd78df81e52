package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEventFilter;
import dev.reelay.job.JobEventType;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static dev.reelay.stream.TestMessages.event;
import static dev.reelay.stream.TestMessages.progress;
import static org.assertj.core.api.Assertions.assertThat;

class SubscriberTests {

	private static final Outgoing TOO_SLOW = TestMessages.MESSAGES.close("slow_consumer", "too slow");

	@Test
	void deliversOnlyEventsAfterItsStart() {
		Subscriber subscriber = new Subscriber(JobEventFilter.ALL, 8);
		subscriber.startAfter(10);
		UUID job = UUID.randomUUID();
		assertThat(subscriber.deliver(progress(9, job), TOO_SLOW)).isTrue();
		assertThat(subscriber.deliver(progress(10, job), TOO_SLOW)).isTrue();
		assertThat(subscriber.deliver(progress(11, job), TOO_SLOW)).isTrue();
		StepVerifier.create(subscriber.messages().map(Outgoing::id)).expectNext(11L).thenCancel().verify();
	}

	@Test
	void aReaderThatRequestsNothingCannotGrowTheBufferAndIsClosedWithAReason() {
		Subscriber subscriber = new Subscriber(JobEventFilter.ALL, 8);
		subscriber.startAfter(0);
		// Nothing is dropped to make room, progress included: the ninth event finds the buffer full and ends it.
		List<UUID> jobs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
		long id = 0;
		for (int i = 0; i < 8; i++) {
			id++;
			assertThat(subscriber.deliver(progress(id, jobs.get(i % 3)), TOO_SLOW)).isTrue();
		}
		assertThat(subscriber.deliver(progress(++id, jobs.get(0)), TOO_SLOW)).isFalse();
		assertThat(subscriber.isGone()).isTrue();
		assertThat(subscriber.overflowed()).isTrue();
		assertThat(subscriber.buffer().highWater()).isEqualTo(8);
		assertThat(subscriber.deliver(event(id + 1, UUID.randomUUID(), JobEventType.COMPLETED), TOO_SLOW)).isFalse();
		// The tail forgets it at once; the notice must still go out.
		subscriber.dispose();
		// What was buffered is dropped: the client resumes from the log with the last id it really got.
		StepVerifier.create(subscriber.messages(), 0)
			.expectSubscription()
			.thenRequest(1)
			.assertNext((message) -> {
				assertThat(new String(message.frame(), StandardCharsets.UTF_8)).startsWith("event:close\n")
					.contains("\"reason\":\"slow_consumer\"");
			})
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aReaderThatKeepsUpGetsEveryEventInOrder() {
		Subscriber subscriber = new Subscriber(JobEventFilter.ALL, 8);
		subscriber.startAfter(0);
		List<Long> received = new ArrayList<>();
		subscriber.messages().subscribe((message) -> received.add(message.id()));
		UUID job = UUID.randomUUID();
		for (long id = 1; id <= 1000; id++) {
			assertThat(subscriber.deliver(progress(id, job), TOO_SLOW)).isTrue();
		}
		assertThat(received).hasSize(1000).isSorted();
		assertThat(subscriber.overflowed()).isFalse();
	}

	@Test
	void closingEndsTheStreamWithTheNoticeAfterWhatWasDelivered() {
		Subscriber subscriber = new Subscriber(JobEventFilter.ALL, 8);
		subscriber.startAfter(0);
		UUID job = UUID.randomUUID();
		subscriber.deliver(progress(1, job), TOO_SLOW);
		Outgoing shutdown = TestMessages.MESSAGES.close("shutdown", "bye");
		StepVerifier.create(subscriber.messages())
			.assertNext((message) -> assertThat(message.id()).isEqualTo(1))
			.then(() -> subscriber.close(shutdown))
			.expectNext(shutdown)
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		assertThat(subscriber.deliver(progress(2, job), TOO_SLOW)).isFalse();
	}

	@Test
	void aSubscriberThatWentAwayCannotBeRegistered() {
		Subscriber subscriber = new Subscriber(JobEventFilter.ALL, 8);
		subscriber.dispose();
		assertThat(subscriber.startAfter(5)).isFalse();
	}

}
