package dev.reelay.stream;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.awaitility.Awaitility.await;

/**
 * One application on a real port and PostgreSQL, with the dispatcher off (tests move jobs themselves) and no
 * periodic recheck of the log, so every live delivery must come through LISTEN/NOTIFY. Subclasses share the
 * context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.stream.recheck=1h", "reelay.stream.gap-grace=1m" })
abstract class LiveStreamTestSupport {

	static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	static final Duration WAIT = Duration.ofSeconds(20);

	@LocalServerPort
	int port;

	@Autowired
	JobStore store;

	@Autowired
	DatabaseClient db;

	@Autowired
	LogTail tail;

	WebClient http() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

	/** The raw stream at {@code uri}, resumed from {@code lastEventId} (sent as the Last-Event-ID header). */
	Flux<ServerSentEvent<String>> stream(String uri, @Nullable Long lastEventId) {
		return http().get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).headers((headers) -> {
			if (lastEventId != null) {
				headers.set("Last-Event-ID", Long.toString(lastEventId));
			}
		}).retrieve().bodyToFlux(SSE);
	}

	Job create(String prompt) {
		return this.store.create(new NewJob("sim-video", "simulator", prompt,
				new JobParameters(4, "16:9", "720p", null, null))).block(WAIT);
	}

	/** One visible change (a new status reason): one PROGRESS event. */
	Job touch(Job job, String reason) {
		return this.store.change(job, (c) -> c.statusReason = reason, false).block(WAIT);
	}

	Job cancel(Job job) {
		return this.store.change(job, (c) -> {
			c.status = JobStatus.CANCELED;
			c.statusReason = "canceled by test";
		}, true).block(WAIT);
	}

	/** Every event id of these jobs in the log, in order: the truth a stream is compared with. */
	List<Long> eventIds(Collection<UUID> jobs) {
		return this.db.sql("SELECT id FROM job_events WHERE job_id = ANY(:jobs) ORDER BY id")
			.bind("jobs", jobs.toArray(UUID[]::new))
			.map((row) -> row.get("id", Long.class))
			.all()
			.collectList()
			.block(WAIT);
	}

	/**
	 * Waits until the tail has delivered everything written so far, so that a stream opened next without an id
	 * starts after it (otherwise it may begin a few events earlier, at the tail's position).
	 */
	void awaitTailCaughtUp() {
		long head = this.db.sql("SELECT coalesce(max(id), 0) AS head FROM job_events")
			.map((row) -> row.get("head", Long.class))
			.one()
			.block(WAIT);
		await().atMost(WAIT).until(() -> this.tail.position().block(WAIT) >= head);
	}

	static long id(ServerSentEvent<String> event) {
		return Long.parseLong(event.id());
	}

	static boolean isEvent(ServerSentEvent<String> event) {
		return event.event() != null;
	}

}
