package dev.reelay.callback;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks end to end on one instance: jobs queued with a callback URL, their events forwarded to the queue and
 * delivered to a receiver on loopback, once instant and once answering after 50 ms (where the concurrency bounds
 * the rate). Run with {@code ./mvnw -Pbench -pl backend -am verify -Dtest=WebhookBenchmark}; not part of the
 * normal build.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		"reelay.callbacks.enabled=true", "reelay.callbacks.allow-http=true",
		"reelay.callbacks.allow-private-addresses=true", "reelay.callbacks.poll=50ms",
		"reelay.callbacks.concurrency=16", "reelay.simulator.enabled=true", "logging.level.dev.reelay=WARN" })
@DirtiesContext
class WebhookBenchmark {

	private static final int JOBS = 2000;

	private static final Receiver receiver = new Receiver();

	@Autowired
	private JobStore jobs;

	@AfterAll
	static void close() {
		receiver.close();
	}

	@Test
	void instantReceiver() {
		run("/instant-" + UUID.randomUUID(), Duration.ZERO);
	}

	@Test
	void receiverAnswering50ms() {
		run("/slow-" + UUID.randomUUID(), Duration.ofMillis(50));
	}

	private void run(String path, Duration latency) {
		for (int i = 0; i < JOBS; i++) {
			receiver.script(path, (got, response) -> Mono.delay(latency)
				.then(Mono.from(response.status(200).sendString(Mono.just("ok")))));
		}
		long started = System.nanoTime();
		Flux.range(0, JOBS / 100)
			.concatMap((batch) -> this.jobs.createBatch(IntStream.range(0, 100)
				.mapToObj((i) -> new NewJob("sim-video", "simulator", "bench " + batch + "/" + i,
						new JobParameters(4, "16:9", "720p", null, null, null, null, receiver.url(path))))
				.toList(), null))
			.blockLast(Duration.ofMinutes(1));
		double queuedSeconds = (System.nanoTime() - started) / 1e9;
		List<Receiver.Received> all = receiver.await(path, JOBS, Duration.ofMinutes(5));
		double seconds = (System.nanoTime() - started) / 1e9;
		assertThat(all.stream().map((got) -> got.header("webhook-id")).distinct()).hasSize(JOBS);
		System.out.printf(Locale.ROOT, "webhooks, receiver latency %d ms, concurrency 16: %d jobs queued in %.2f s, "
				+ "all %d webhooks delivered after %.2f s (%.0f/s)%n", latency.toMillis(), JOBS, queuedSeconds, JOBS,
				seconds, JOBS / seconds);
	}

}
