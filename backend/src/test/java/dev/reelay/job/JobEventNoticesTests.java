package dev.reelay.job;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The after-commit notices are hints that a listener may miss, never a stream that can end: a burst that outruns a
 * listener (a batch of thousands of jobs queued in one statement, the dispatcher busy waking its claims) once ended
 * the sink with an overflow error, and the dispatcher's wake-ups with it, so no job was claimed again until restart.
 */
class JobEventNoticesTests {

	private static final UUID JOB = UUID.randomUUID();

	private final JobEventLog log = new JobEventLog(mock(DatabaseClient.class));

	@Test
	void aBurstAListenerHasNoRoomForIsMissedByItAndTheNoticesGoOn() {
		List<Long> heard = new CopyOnWriteArrayList<>();
		AtomicReference<Throwable> ended = new AtomicReference<>();
		BaseSubscriber<JobEventNotice> slow = new BaseSubscriber<>() {

			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				request(1);
			}

			@Override
			protected void hookOnNext(JobEventNotice notice) {
				heard.add(notice.eventId());
			}

			@Override
			protected void hookOnError(Throwable error) {
				ended.set(error);
			}

		};
		this.log.notices().subscribe(slow);

		burst(1, 5_000);
		slow.request(1);
		this.log.announce(notice(9_000));

		assertThat(ended.get()).isNull();
		assertThat(heard).containsExactly(1L, 9_000L);
		slow.dispose();
	}

	@Test
	void aListenerThatComesAfterABurstStillHearsTheNextNotice() {
		StepVerifier.create(this.log.notices(), 0).then(() -> burst(1, 100)).thenCancel().verify(Duration.ofSeconds(30));
		StepVerifier.create(this.log.notices())
			.then(() -> this.log.announce(notice(200)))
			.expectNext(notice(200))
			.thenCancel()
			.verify(Duration.ofSeconds(30));
	}

	private void burst(long from, long to) {
		for (long id = from; id <= to; id++) {
			this.log.announce(notice(id));
		}
	}

	private static JobEventNotice notice(long eventId) {
		return new JobEventNotice(eventId, JOB, JobEventType.QUEUED);
	}

}
