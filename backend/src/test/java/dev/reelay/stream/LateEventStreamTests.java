package dev.reelay.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.reelay.job.Job;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An event whose transaction stays open past a short gap grace: the stream moves on without it, and delivers it
 * once when it commits after all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.stream.recheck=1h", "reelay.stream.gap-grace=1s" })
class LateEventStreamTests extends LiveStreamTestSupport {

	@Autowired
	private TransactionalOperator tx;

	@Test
	void anEventHeldOpenPastTheGraceIsDeliveredOnceWhenItCommits() {
		Job held = create("held past the grace");
		Job other = create("written meanwhile");
		Sinks.Empty<Void> commit = Sinks.empty();
		Sinks.One<Job> written = Sinks.one();
		// The held event takes its id now but only becomes visible at commit, long after the grace.
		this.store.change(held, (c) -> c.statusReason = "in a long transaction", false)
			.doOnNext(written::tryEmitValue)
			.flatMap((job) -> commit.asMono().thenReturn(job))
			.as(this.tx::transactional)
			.subscribe();
		written.asMono().block(WAIT);
		String uri = "/api/v1/events?job_id=" + held.id() + "&job_id=" + other.id();
		// Opened while the tail waits at the hole, so the stream starts before the held id.
		StepVerifier.create(stream(uri, null).filter((event) -> "ready".equals(event.comment())
				|| "job.progress".equals(event.event())))
			.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
			.then(() -> change(other, "passed the hole"))
			.assertNext((event) -> {
				assertThat(event.data()).contains("passed the hole");
				assertThat(event.id()).isNotNull();
			})
			.then(commit::tryEmitEmpty)
			.assertNext((event) -> {
				assertThat(event.data()).contains("in a long transaction");
				// Out of order, so without an id: a reconnect still resumes after the newest event in order.
				assertThat(event.id()).isNull();
			})
			.then(() -> change(other, "after the late one"))
			.assertNext((event) -> assertThat(event.data()).contains("after the late one"))
			.expectNoEvent(Duration.ofSeconds(2))
			.thenCancel()
			.verify(Duration.ofSeconds(30));
	}

	/**
	 * A stream opened after the tail passed over the held event but before its commit (its replay could not see it)
	 * still gets it, once, as a late event; so does a stream resumed past it.
	 */
	@Test
	void anEventCommittedAfterAStreamOpenedPastItsIdStillReachesThatStream() {
		Job held = create("held while a stream opens");
		Job other = create("moves the tail past the hole");
		Sinks.Empty<Void> commit = Sinks.empty();
		Sinks.One<Job> written = Sinks.one();
		this.store.change(held, (c) -> c.statusReason = "committed after the stream opened", false)
			.doOnNext(written::tryEmitValue)
			.flatMap((job) -> commit.asMono().thenReturn(job))
			.as(this.tx::transactional)
			.subscribe();
		written.asMono().block(WAIT);
		// The tail passes over the held id once the grace is up: the next event in order goes out past it.
		Job moved = touch(other, "past the hole");
		long passed = eventIds(List.of(other.id())).stream().mapToLong(Long::longValue).max().orElseThrow();
		await().atMost(WAIT).until(() -> this.tail.position().block(WAIT) >= passed);
		String uri = "/api/v1/events?job_id=" + held.id() + "&job_id=" + other.id();
		List<ServerSentEvent<String>> fresh = new CopyOnWriteArrayList<>();
		List<ServerSentEvent<String>> resumed = new CopyOnWriteArrayList<>();
		Disposable freshStream = stream(uri, null).subscribe(fresh::add);
		Disposable resumedStream = stream(uri, passed).subscribe(resumed::add);
		try {
			await().atMost(WAIT).until(() -> isReady(fresh) && isReady(resumed));
			commit.tryEmitEmpty();
			touch(moved, "after the late one");
			for (List<ServerSentEvent<String>> events : List.of(fresh, resumed)) {
				await().atMost(WAIT).until(() -> has(events, "after the late one") && has(events, "committed after"));
				assertThat(events).filteredOn((event) -> has(List.of(event), "committed after"))
					.singleElement()
					.satisfies((late) -> assertThat(late.id()).isNull());
			}
		}
		finally {
			freshStream.dispose();
			resumedStream.dispose();
		}
	}

	private static boolean isReady(List<ServerSentEvent<String>> events) {
		return events.stream().anyMatch((event) -> "ready".equals(event.comment()));
	}

	private static boolean has(List<ServerSentEvent<String>> events, String text) {
		return events.stream().anyMatch((event) -> event.data() != null && event.data().contains(text));
	}

	/** Changes the job's status reason without blocking (this runs on the stream's thread). */
	private void change(Job job, String reason) {
		this.store.find(job.id()).flatMap((current) -> this.store.change(current, (c) -> c.statusReason = reason, false))
			.subscribe();
	}

}
