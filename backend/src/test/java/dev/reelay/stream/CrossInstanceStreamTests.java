package dev.reelay.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import dev.reelay.ReelayApplication;
import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one database: an event written by one reaches a stream on the other through PostgreSQL
 * LISTEN/NOTIFY (neither instance rechecks the log on its own here).
 */
class CrossInstanceStreamTests extends LiveStreamTestSupport {

	private static final int EVENTS = 20;

	@Autowired
	private Environment environment;

	@Test
	void eventsWrittenOnOneInstanceReachStreamsOnTheOtherWithinMilliseconds() {
		try (ConfigurableApplicationContext other = startAnotherInstance()) {
			JobStore otherStore = other.getBean(JobStore.class);
			WebClient otherHttp = WebClient.create("http://127.0.0.1:" + other.getEnvironment().getProperty("local.server.port"));

			Job written = create("written here, watched there");
			List<Long> hereToThere = measure(otherHttp.get().uri("/api/v1/jobs/{id}/events", written.id()),
					written, this::touch);

			Job writtenThere = otherStore.create(new NewJob("sim-video", "simulator", "written there, watched here",
					new JobParameters(4, "16:9", "720p", null, null))).block(WAIT);
			List<Long> thereToHere = measure(http().get().uri("/api/v1/events?job_id={id}", writtenThere.id()),
					writtenThere, (job, reason) -> otherStore.change(job, (c) -> c.statusReason = reason, false).block(WAIT));

			System.out.printf("cross-instance delivery (ms, write to client): here->there %s, there->here %s%n",
					hereToThere, thereToHere);
			for (List<Long> latencies : List.of(hereToThere, thereToHere)) {
				assertThat(latencies).hasSize(EVENTS);
				assertThat(median(latencies)).as("median delivery latency in ms").isLessThan(100);
				assertThat(latencies).allSatisfy((millis) -> assertThat(millis).isLessThan(2_000));
			}

			// Stopping an instance ends its streams with a notice, so clients reconnect elsewhere at once.
			StepVerifier.create(otherHttp.get().uri("/api/v1/events").retrieve().bodyToFlux(SSE))
				.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
				.then(other::close)
				.assertNext((close) -> {
					assertThat(close.event()).isEqualTo("close");
					assertThat(close.data()).contains("\"reason\":\"shutdown\"");
				})
				.expectComplete()
				.verify(WAIT);
		}
	}

	/**
	 * Subscribes with {@code request}, then writes {@link #EVENTS} changes one after the other through
	 * {@code write} (each with a marker as status reason), and answers each one's write-to-arrival time.
	 */
	private List<Long> measure(WebClient.RequestHeadersSpec<?> request, Job job, BiFunction<Job, String, Job> write) {
		Map<String, Long> arrivals = new ConcurrentHashMap<>();
		Disposable watching = request.retrieve()
			.bodyToFlux(SSE)
			.subscribe((event) -> record(event, arrivals));
		try {
			// The first message (the job's state, or ": ready") says the stream is registered.
			await().atMost(WAIT).until(() -> arrivals.containsKey(""));
			Map<String, Long> sent = new LinkedHashMap<>();
			Job current = job;
			for (int i = 0; i < EVENTS; i++) {
				String marker = "cross-" + i + "-" + job.id();
				sent.put(marker, System.nanoTime());
				current = write.apply(current, marker);
				await().atMost(WAIT).until(() -> arrivals.containsKey(marker));
			}
			List<Long> latencies = new ArrayList<>();
			sent.forEach((marker, at) -> latencies.add(Duration.ofNanos(arrivals.get(marker) - at).toMillis()));
			return latencies;
		}
		finally {
			watching.dispose();
		}
	}

	private static void record(ServerSentEvent<String> event, Map<String, Long> arrivals) {
		long now = System.nanoTime();
		String data = event.data();
		if (data == null) {
			arrivals.putIfAbsent("", now);
			return;
		}
		int at = data.indexOf("cross-");
		if (at >= 0) {
			arrivals.put(data.substring(at, data.indexOf('"', at)), now);
		}
		else {
			arrivals.putIfAbsent("", now);
		}
	}

	private ConfigurableApplicationContext startAnotherInstance() {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "reelay.dispatch.enabled=false",
				"reelay.stream.recheck=1h", "spring.main.banner-mode=off"));
		// Whatever database this instance resolved, the other one must use the same.
		for (String name : List.of("spring.r2dbc.url", "spring.r2dbc.username", "spring.r2dbc.password",
				"spring.flyway.url", "spring.flyway.user", "spring.flyway.password")) {
			String value = this.environment.getProperty(name);
			if (value != null) {
				properties.add(name + "=" + value);
			}
		}
		return new SpringApplicationBuilder(ReelayApplication.class).properties(properties.toArray(String[]::new))
			.run();
	}

	private static long median(List<Long> values) {
		List<Long> sorted = values.stream().sorted().toList();
		return sorted.get(sorted.size() / 2);
	}

}
