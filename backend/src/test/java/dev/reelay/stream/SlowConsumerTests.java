package dev.reelay.stream;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading: the server's memory for it stays bounded by its buffer, it is closed with a final
 * event saying why, and resuming from the last id it got loses nothing, terminal events least of all.
 */
@TestPropertySource(properties = { "reelay.stream.buffer=16", "reelay.stream.read-batch=8" })
class SlowConsumerTests extends LiveStreamTestSupport {

	private static final String BIG_PROMPT = "A very long prompt that makes every event large. ".repeat(600);

	private final Set<UUID> created = new HashSet<>();

	@Test
	void aClientThatStopsReadingIsClosedWithAReasonAndLosesNothingWhenItResumes() throws Exception {
		List<Job> jobs = Flux.range(0, 40)
			.concatMap((i) -> this.store.create(new NewJob("sim-video", "simulator", i + " " + BIG_PROMPT,
					new JobParameters(4, "16:9", "720p", null, null))))
			.collectList()
			.block(WAIT);
		Set<UUID> ids = jobs.stream().map(Job::id).collect(Collectors.toSet());
		this.created.addAll(ids);
		long start = eventIds(ids).get(39);
		String uri = "/api/v1/events?job_id=" + ids.stream().map(UUID::toString).collect(Collectors.joining(","));
		HttpClient client = HttpClient.newHttpClient();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + uri))
			.header("Last-Event-ID", Long.toString(start))
			.build();
		long closedBefore = this.tail.closedTooSlow();
		// Headers only: from here on the client reads nothing, so TCP fills up and then the buffer.
		HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		await().atMost(WAIT).until(() -> this.tail.subscribers() > 0);

		List<Job> current = jobs;
		for (int round = 0; round < 12 && this.tail.closedTooSlow() == closedBefore; round++) {
			String reason = "round " + round;
			current = Flux.fromIterable(current)
				.flatMapSequential((job) -> this.store.change(job, (c) -> c.statusReason = reason, false), 8)
				.collectList()
				.block(WAIT);
		}
		Flux.fromIterable(current.subList(0, 10)).flatMap((job) -> Mono.fromCallable(() -> cancel(job))
			.subscribeOn(Schedulers.boundedElastic()), 4).blockLast(WAIT);
		await().atMost(WAIT).until(() -> this.tail.closedTooSlow() > closedBefore);
		assertThat(this.tail.bufferHighWater()).isLessThanOrEqualTo(16);

		List<String[]> received = read(response.body());
		String[] last = received.get(received.size() - 1);
		assertThat(last[1]).isEqualTo("close");
		assertThat(last[2]).contains("\"reason\":\"slow_consumer\"");
		List<Long> got = received.stream().filter((event) -> event[0] != null).map((event) -> Long.parseLong(event[0])).toList();
		assertThat(got).isSorted().doesNotHaveDuplicates();
		long lastId = got.isEmpty() ? start : got.get(got.size() - 1);

		List<Long> truth = eventIds(ids).stream().filter((id) -> id > start).toList();
		List<Long> rest = truth.stream().filter((id) -> id > lastId).toList();
		List<Long> resumed = stream(uri, lastId).filter(LiveStreamTestSupport::isEvent)
			.map(LiveStreamTestSupport::id)
			.take(rest.size())
			.collectList()
			.block(WAIT);
		assertThat(resumed).containsExactlyElementsOf(rest);
		Set<Long> seen = new HashSet<>(got);
		seen.addAll(resumed);
		assertThat(seen).containsAll(terminalEventIds(ids));
	}

	/** Their prompts are huge, and other tests list jobs. */
	@AfterEach
	void deleteTheJobs() {
		UUID[] ids = this.created.toArray(UUID[]::new);
		this.db.sql("DELETE FROM job_events WHERE job_id = ANY(:jobs)").bind("jobs", ids).then().block(WAIT);
		this.db.sql("DELETE FROM jobs WHERE id = ANY(:jobs)").bind("jobs", ids).then().block(WAIT);
	}

	private List<Long> terminalEventIds(Set<UUID> jobs) {
		return this.db.sql("SELECT id FROM job_events WHERE job_id = ANY(:jobs) AND type = 'job.canceled'")
			.bind("jobs", jobs.toArray(UUID[]::new))
			.map((row) -> row.get("id", Long.class))
			.all()
			.collectList()
			.block(WAIT);
	}

	/** Events as {id, event, data} until the server ends the response. */
	private static List<String[]> read(InputStream body) throws Exception {
		List<String[]> events = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
			String id = null;
			String name = null;
			StringBuilder data = new StringBuilder();
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (line.isEmpty()) {
					if (name != null) {
						events.add(new String[] { id, name, data.toString() });
					}
					id = null;
					name = null;
					data.setLength(0);
				}
				else if (line.startsWith("id:")) {
					id = line.substring(3);
				}
				else if (line.startsWith("event:")) {
					name = line.substring(6);
				}
				else if (line.startsWith("data:")) {
					data.append(line.substring(5));
				}
			}
		}
		return events;
	}

}
