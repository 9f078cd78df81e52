package dev.reelay.job;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JobStore#createRetried}: an SDK's automatic retry of a create without an idempotency key answers the job
 * its first attempt made, even when the attempts race, and never swallows a different request or an old one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class RetriedCreateTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	@Autowired
	private JobStore store;

	@Autowired
	private DatabaseClient db;

	@Test
	void aRetryAnswersTheJobItsFirstAttemptMade() {
		NewJob request = newJob("retried-" + UUID.randomUUID());
		Job first = this.store.create(request).block(WAIT);
		JobStore.Submission retry = this.store.createRetried(request, Duration.ofMinutes(15)).block(WAIT);
		assertThat(retry.replayed()).isTrue();
		assertThat(retry.jobs()).extracting(Job::id).containsExactly(first.id());
		assertThat(count(request.prompt())).isEqualTo(1);
	}

	@Test
	void racingAttemptsMakeOneJob() {
		NewJob request = newJob("racing-" + UUID.randomUUID());
		List<UUID> ids = Flux.range(0, 8)
			.flatMap((attempt) -> this.store.createRetried(request, Duration.ofMinutes(15))
				.subscribeOn(Schedulers.parallel()))
			.map((submission) -> submission.jobs().get(0).id())
			.collectList()
			.block(WAIT);
		assertThat(ids).hasSize(8).containsOnly(ids.get(0));
		assertThat(count(request.prompt())).isEqualTo(1);
	}

	@Test
	void aDifferentRequestOrAnOldOneIsANewJob() {
		String prompt = "other-" + UUID.randomUUID();
		Job first = this.store.create(newJob(prompt)).block(WAIT);
		JobStore.Submission longer = this.store.createRetried(new NewJob("sim-video", "store-tests", prompt,
				new JobParameters(8, "16:9", "720p", null, null)), Duration.ofMinutes(15)).block(WAIT);
		assertThat(longer.replayed()).isFalse();
		assertThat(longer.jobs().get(0).id()).isNotEqualTo(first.id());
		JobStore.Submission late = this.store.createRetried(newJob(prompt), Duration.ZERO).block(WAIT);
		assertThat(late.replayed()).isFalse();
		assertThat(count(prompt)).isEqualTo(3);
	}

	private long count(String prompt) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	private static NewJob newJob(String prompt) {
		return new NewJob("sim-video", "store-tests", prompt, PARAMETERS);
	}

}
