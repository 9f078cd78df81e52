package dev.reelay.job;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row written by a newer Reelay (a rolling upgrade) may carry JSON fields this one does not know: it is still
 * read. In a transaction that is rolled back, so no dispatcher of another context ever sees the job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class StoredJsonTests {

	@Autowired
	private JobStore store;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private TransactionalOperator tx;

	@Test
	void aRowWithAnUnknownFieldInItsStoredJsonIsRead() {
		JobParameters parameters = new JobParameters(4, "16:9", "720p", null, null);
		Mono<Job> read = this.store
			.create(new NewJob("sim-video", "stored-json-" + UUID.randomUUID(), "a newer row", parameters, 0, null))
			.flatMap((job) -> this.db
				.sql("UPDATE jobs SET parameters = CAST(parameters AS jsonb) || '{\"added_later\": {\"x\": 1}}', "
						+ "provider_usage = '{\"added_later\": 2}' WHERE id = :id")
				.bind("id", job.id())
				.then()
				.then(this.store.find(job.id())));
		StepVerifier.create(this.tx.execute((status) -> {
			status.setRollbackOnly();
			return read;
		}).single()).assertNext((job) -> {
			assertThat(job.parameters()).isEqualTo(parameters);
			assertThat(job.providerUsage()).isNotNull();
		}).verifyComplete();
	}

}
