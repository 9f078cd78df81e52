package dev.reelay.stream;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Events older than the retention window: pruned (each job keeps its newest), and resuming from them resets. */
class EventRetentionTests extends LiveStreamTestSupport {

	@Autowired
	private EventRetention retention;

	@Autowired
	private JsonMapper json;

	@Autowired
	private LogTail tail;

	@Test
	void pruningKeepsEachJobsNewestEventAndResumingFromBeforeItResets() {
		Job job = create("old job");
		for (int i = 0; i < 4; i++) {
			job = touch(job, "old step " + i);
		}
		List<Long> before = eventIds(List.of(job.id()));
		age(job.id());
		assertThat(this.retention.prune().block(WAIT)).isGreaterThanOrEqualTo(4);
		assertThat(eventIds(List.of(job.id()))).containsExactly(before.get(4));

		Job latest = job;
		StepVerifier.create(stream("/api/v1/jobs/" + job.id() + "/events", before.get(0))
			.filter(LiveStreamTestSupport::isEvent))
			.assertNext((reset) -> {
				assertThat(reset.event()).isEqualTo("reset");
				assertThat(parse(reset.data()).get("reason")).isEqualTo("expired");
			})
			// Then the job as it is now, and whatever comes next.
			.assertNext((current) -> assertThat(id(current)).isEqualTo(before.get(4)))
			.then(() -> cancel(latest))
			.assertNext((canceled) -> assertThat(canceled.event()).isEqualTo("job.canceled"))
			.verifyComplete();
	}

	@Test
	void anIdOlderThanTheWindowResetsEvenBeforeItIsPruned() {
		Job job = touch(create("old but not pruned yet"), "second");
		List<Long> ids = eventIds(List.of(job.id()));
		age(job.id());
		// A stream continues after what this instance's log tail has read when it opens; on a loaded machine the tail
		// may not have read the second event yet (it would then come live, after the reset). Wait for it, so that the
		// reset's position is what this test checks.
		Awaitility.await().atMost(WAIT).until(() -> this.tail.position().block(WAIT) >= ids.get(1));
		StepVerifier.create(stream("/api/v1/events?job_id=" + job.id(), ids.get(0) - 1)
			.filter(LiveStreamTestSupport::isEvent))
			.assertNext((reset) -> {
				assertThat(reset.event()).isEqualTo("reset");
				assertThat(parse(reset.data()).get("reason")).isEqualTo("expired");
				assertThat(Long.parseLong(reset.id())).isGreaterThanOrEqualTo(ids.get(1));
			})
			.thenCancel()
			.verify(WAIT);
	}

	@Test
	void aRecentIdIsResumable() {
		Job job = touch(create("recent"), "second");
		List<Long> ids = eventIds(List.of(job.id()));
		assertThat(this.retention.check(ids.get(0), null).block(WAIT)).isEqualTo(ResumeVerdict.RESUMABLE);
	}

	@Test
	void aRecentJobsStreamReplaysFromTheStartWhateverOlderJobsLost() {
		Job old = touch(create("an old job"), "old step");
		age(old.id());
		this.retention.prune().block(WAIT);
		Job recent = touch(create("a recent job"), "recent step");
		// The job page shows a job's whole timeline with last_event_id=0.
		assertThat(this.retention.check(0, recent.id()).block(WAIT)).isEqualTo(ResumeVerdict.RESUMABLE);
		assertThat(this.retention.check(0, null).block(WAIT)).isEqualTo(ResumeVerdict.EXPIRED);
		assertThat(this.retention.check(0, old.id()).block(WAIT)).isEqualTo(ResumeVerdict.EXPIRED);
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/events?last_event_id=0", recent.id())
			.retrieve()
			.bodyToFlux(SSE)
			.filter(LiveStreamTestSupport::isEvent)
			.map((event) -> event.event()))
			.expectNext("job.queued", "job.progress")
			.thenCancel()
			.verify(WAIT);
	}

	private void age(UUID jobId) {
		this.db.sql("UPDATE job_events SET created_at = now() - interval '8 days' WHERE job_id = :job")
			.bind("job", jobId)
			.fetch()
			.rowsUpdated()
			.block(WAIT);
	}

	private Map<?, ?> parse(String data) {
		return this.json.readValue(data, Map.class);
	}

}
