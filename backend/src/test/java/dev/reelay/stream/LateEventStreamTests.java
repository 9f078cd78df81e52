package dev.reelay.stream;

import java.time.Duration;

import dev.reelay.job.Job;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

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

	/** Changes the job's status reason without blocking (this runs on the stream's thread). */
	private void change(Job job, String reason) {
		this.store.find(job.id()).flatMap((current) -> this.store.change(current, (c) -> c.statusReason = reason, false))
			.subscribe();
	}

}
