package dev.reelay.stream;

import java.util.List;
import java.util.UUID;

import dev.reelay.job.JobEventFilter;
import dev.reelay.job.JobStore;
import dev.reelay.support.BadRequestException;
import dev.reelay.tenant.CallerTenant;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Server-Sent Events for one job and for all jobs, resumable with Last-Event-ID. */
@RestController
class JobEventsController {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private final JobStreams streams;

	private final JobStore jobs;

	private final StreamSettings settings;

	private final StreamQuota quota;

	JobEventsController(JobStreams streams, JobStore jobs, StreamSettings settings, StreamQuota quota) {
		this.streams = streams;
		this.jobs = jobs;
		this.settings = settings;
		this.quota = quota;
	}

	/**
	 * One job's stream. A client that already has the job's terminal event gets 204, which tells an EventSource
	 * to stop reconnecting.
	 */
	@GetMapping(path = "/api/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Mono<ResponseEntity<Flux<DataBuffer>>> job(@PathVariable UUID id,
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String header,
			@RequestParam(name = "last_event_id", required = false) @Nullable String parameter) {
		// The tenant is read here, outside valueOnly: its future runs without the request's context.
		return CallerTenant.current().flatMap((tenant) -> Mono.fromCallable(() -> lastEventId(header, parameter))
			.flatMap((lastEventId) -> valueOnly(this.jobs.find(tenant, id).flatMap((job) -> {
				Long after = lastEventId.value();
				return (after != null && job.status().isTerminal()) ? this.streams.hasEnded(id, after)
						: Mono.just(false);
			})).map((ended) -> ended ? ResponseEntity.noContent().<Flux<DataBuffer>>build()
					: stream(this.quota.admit(tenant, this.streams.forJob(tenant, id, lastEventId.value()))))));
	}

	@GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Mono<ResponseEntity<Flux<DataBuffer>>> all(
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String header,
			@RequestParam(name = "last_event_id", required = false) @Nullable String parameter,
			@RequestParam(name = "status", required = false) @Nullable List<String> status,
			@RequestParam(name = "model", required = false) @Nullable List<String> model,
			@RequestParam(name = "provider", required = false) @Nullable List<String> provider,
			@RequestParam(name = "job_id", required = false) @Nullable List<String> jobId) {
		return CallerTenant.current().map((tenant) -> {
			JobEventFilter filter = EventFilterParameters.parse(status, model, provider, jobId,
					this.settings.maxFilterValues());
			return stream(this.quota.admit(tenant,
					this.streams.forAll(tenant, filter, lastEventId(header, parameter).value())));
		});
	}

	/**
	 * {@code lookup}'s value, without its operators: the handler keeps the chain that produced the response
	 * reachable for as long as the stream is open, and a finished query's chain holds its statement and row
	 * metadata (kilobytes per stream, at thousands of streams).
	 */
	private static <T> Mono<T> valueOnly(Mono<T> lookup) {
		return Mono.fromFuture(lookup::toFuture, true);
	}

	/** The frames as they are: wrapping shares each event's bytes instead of copying them per connection. */
	private static ResponseEntity<Flux<DataBuffer>> stream(Flux<byte[]> frames) {
		// X-Accel-Buffering: nginx would otherwise hold events back until its buffer fills.
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			.header("X-Accel-Buffering", "no")
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.body(frames.map(BUFFERS::wrap));
	}

	private static LastEventId lastEventId(@Nullable String header, @Nullable String parameter) {
		String raw = (header != null && !header.isBlank()) ? header : parameter;
		if (raw == null || raw.isBlank()) {
			return new LastEventId(null);
		}
		try {
			// ASCII digits only: Long.parseLong also reads other scripts' digits, which this API never sends.
			if (!raw.strip().chars().allMatch((c) -> c >= '0' && c <= '9')) {
				throw new NumberFormatException();
			}
			long id = Long.parseLong(raw.strip());
			if (id < 0) {
				throw new NumberFormatException();
			}
			return new LastEventId(id);
		}
		catch (NumberFormatException ex) {
			throw new BadRequestException("last_event_id",
					"Last-Event-ID must be an event id this API sent (a whole number); got '" + raw + "'");
		}
	}

	private record LastEventId(@Nullable Long value) {
	}

}
