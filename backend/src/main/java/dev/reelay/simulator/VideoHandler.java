package dev.reelay.simulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.reelay.simulator.ApiObjects.DeletedVideo;
import dev.reelay.simulator.ApiObjects.Video;
import dev.reelay.simulator.ApiObjects.VideoList;
import dev.reelay.simulator.SimulatedVideo.Status;
import dev.reelay.simulator.SimulatedVideo.VideoStatus;

/** The Videos endpoints. Authentication, latency and error rendering live in {@link SimulatorFilter}. */
final class VideoHandler {

	static final String POLL_AFTER_HEADER = "openai-poll-after-ms";

	private static final MediaType WEBP = MediaType.parseMediaType("image/webp");

	private static final MediaType MP4 = MediaType.parseMediaType("video/mp4");

	private static final List<String> VARIANTS = List.of("video", "thumbnail", "spritesheet");

	private static final int DEFAULT_LIMIT = 20;

	private static final int MAX_LIMIT = 100;

	/**
	 * Clips by size and length, made on first use: a few kilobytes each, and at most 12 of them since the request
	 * validation admits only the four sizes and three lengths of {@link VideoRequest}.
	 */
	private final Map<String, byte[]> clips = new ConcurrentHashMap<>();

	private final Resource thumbnail = new ClassPathResource("simulator/thumbnail.webp");

	private final SimulatorVideos videos;

	private final SimulatorSettings settings;

	private final Clock clock;

	private final RandomGenerator random;

	VideoHandler(SimulatorVideos videos, SimulatorSettings settings, Clock clock, RandomGenerator random) {
		this.videos = videos;
		this.settings = settings;
		this.clock = clock;
		this.random = random;
	}

	Mono<ServerResponse> create(ServerRequest request) {
		return throttle().then(VideoRequest.read(request))
			.flatMap((body) -> accept(request, body.prompt(), body.model(), body.size(), body.seconds(),
					body.inputReference(), null));
	}

	Mono<ServerResponse> remix(ServerRequest request) {
		String sourceId = request.pathVariable("id");
		return throttle().then(VideoRequest.readRemixPrompt(request))
			.flatMap((prompt) -> find(request, sourceId).flatMap((source) -> {
				if (source.statusAt(this.clock.instant()).status() != VideoStatus.COMPLETED) {
					return Mono.error(ApiError.badRequest("Video '" + sourceId + "' is not completed; only "
							+ "completed videos can be remixed.", null, null));
				}
				return accept(request, prompt, source.model(), source.size(), source.seconds(), false, sourceId);
			}));
	}

	/** Stores a new job. Whether it will fail is rolled now, so every later read agrees on its fate. */
	private Mono<ServerResponse> accept(ServerRequest request, String prompt, String model, String size,
			String seconds, boolean inputReference, @Nullable String remixedFrom) {
		// Postgres keeps microseconds; dropping below millis keeps what we answer equal to what we read back.
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
		SimulatedVideo created = new SimulatedVideo(newVideoId(), model, prompt, size, seconds, inputReference,
				remixedFrom, now, this.settings.generationTime(), rollOutcome());
		boolean loseResponse = this.random.nextDouble() < this.settings.lostResponseRate();
		return this.videos.insert(project(request), created)
			.then(loseResponse ? Mono.error(ApiError.serverError()) : ServerResponse.ok().bodyValue(Video.of(created, now)));
	}

	Mono<ServerResponse> retrieve(ServerRequest request) {
		return throttle().then(find(request, request.pathVariable("id")))
			.flatMap((found) -> ServerResponse.ok()
				.header(POLL_AFTER_HEADER, String.valueOf(pollAfterMillis(found)))
				.bodyValue(Video.of(found, this.clock.instant())));
	}

	Mono<ServerResponse> list(ServerRequest request) {
		int limit = limit(request);
		String order = request.queryParam("order").orElse("desc");
		if (!List.of("asc", "desc").contains(order)) {
			return Mono.error(ApiError.invalidValue("order", order, List.of("asc", "desc")));
		}
		boolean ascending = order.equals("asc");
		String project = project(request);
		String after = request.queryParam("after").orElse(null);
		Mono<Long> cursor = (after == null) ? Mono.just(SimulatorVideos.start(ascending))
				: this.videos.seq(project, after)
					.switchIfEmpty(Mono.error(() -> ApiError.badRequest(
							"No video found with id '" + after + "' to list after.", "after", null)));
		Instant now = this.clock.instant();
		// One extra row tells whether another page exists without a count query.
		return cursor.flatMapMany((seq) -> this.videos.page(project, ascending, seq, limit + 1))
			.map((found) -> Video.of(found, now))
			.collectList()
			.flatMap((page) -> ServerResponse.ok()
				.bodyValue(VideoList.of(page.subList(0, Math.min(limit, page.size())), page.size() > limit)));
	}

	Mono<ServerResponse> delete(ServerRequest request) {
		String id = request.pathVariable("id");
		return find(request, id).flatMap((found) -> {
			// Upstream documents deleting completed or failed videos only, and there is no cancel endpoint;
			// refusing the rest keeps clients from relying on delete as a cancel.
			if (!found.statusAt(this.clock.instant()).status().terminal()) {
				return Mono.error(ApiError.badRequest("Video '" + id + "' is still being generated; only "
						+ "completed or failed videos can be deleted.", null, null));
			}
			return this.videos.markDeleted(project(request), id)
				.then(ServerResponse.ok().bodyValue(DeletedVideo.of(id)));
		});
	}

	Mono<ServerResponse> content(ServerRequest request) {
		String variant = request.queryParam("variant").orElse("video");
		if (!VARIANTS.contains(variant)) {
			return Mono.error(ApiError.invalidValue("variant", variant, VARIANTS));
		}
		return find(request, request.pathVariable("id")).flatMap((found) -> {
			Instant now = this.clock.instant();
			Status status = found.statusAt(now);
			if (status.status() == VideoStatus.FAILED) {
				return Mono.error(ApiError.notFound("Video generation failed; there is no content to download."));
			}
			if (status.status() != VideoStatus.COMPLETED) {
				// Live upstream answers 404 "Video is not ready yet" while queued or in progress.
				return Mono.error(ApiError.notFound(
						"Video is not ready yet, use GET /v1/videos/" + found.id() + " to check its status."));
			}
			if (status.expiredAt(now)) {
				return Mono.error(ApiError.notFound("The content of video '" + found.id() + "' has expired."));
			}
			// The real spritesheet is a grid of frames; the thumbnail stands in for it, which is fine for
			// clients that (as the contract says) trust Content-Type rather than the variant name.
			boolean clip = variant.equals("video");
			// The resource writer answers Range requests with 206 and a Content-Range by itself.
			return ServerResponse.ok()
				.contentType(clip ? MP4 : WEBP)
				.body(BodyInserters.fromResource(clip ? clip(found) : this.thumbnail));
		});
	}

	/** A test pattern of the video's own size and length, as asked for when it was created. */
	private Resource clip(SimulatedVideo video) {
		String key = video.size() + "/" + video.seconds();
		byte[] clip = this.clips.computeIfAbsent(key, (size) -> {
			String[] dimensions = video.size().split("x", 2);
			return TestPatternClip.mp4(Integer.parseInt(dimensions[0]), Integer.parseInt(dimensions[1]),
					Integer.parseInt(video.seconds()));
		});
		return new ByteArrayResource(clip);
	}

	Mono<ServerResponse> unknownRoute(ServerRequest request) {
		return Mono.error(ApiError.notFound("Invalid URL (" + request.method().name() + " " + request.path() + ")"));
	}

	private Mono<SimulatedVideo> find(ServerRequest request, String id) {
		return this.videos.find(project(request), id).switchIfEmpty(Mono.error(() -> ApiError.videoNotFound(id)));
	}

	private Mono<Void> throttle() {
		return Mono.defer(() -> {
			if (this.random.nextDouble() < this.settings.rateLimitRate()) {
				return Mono.error(ApiError.rateLimited(this.settings.retryAfter()));
			}
			return (this.random.nextDouble() < this.settings.serverErrorRate()) ? Mono.error(ApiError.serverError())
					: Mono.empty();
		});
	}

	private Outcome rollOutcome() {
		if (this.random.nextDouble() < this.settings.moderationRate()) {
			return Outcome.MODERATION_BLOCKED;
		}
		return (this.random.nextDouble() < this.settings.failureRate()) ? Outcome.FAILED : Outcome.COMPLETED;
	}

	/** About twenty polls per job: often enough to watch progress move, rarely enough not to spin. */
	private static long pollAfterMillis(SimulatedVideo video) {
		return Math.max(100, Math.min(10_000, video.generation().toMillis() / 20));
	}

	private static int limit(ServerRequest request) {
		String text = request.queryParam("limit").orElse(null);
		if (text == null) {
			return DEFAULT_LIMIT;
		}
		int limit;
		try {
			limit = Integer.parseInt(text);
		}
		catch (NumberFormatException ex) {
			throw ApiError.invalidType("limit", "an integer", "a string");
		}
		if (limit < 0 || limit > MAX_LIMIT) {
			boolean below = limit < 0;
			throw ApiError.badRequest("Invalid 'limit': integer " + (below ? "below minimum" : "above maximum")
					+ " value. Expected a value " + (below ? ">= 0" : "<= " + MAX_LIMIT) + ", but got " + limit
					+ " instead.", "limit", below ? "integer_below_min_value" : "integer_above_max_value");
		}
		return limit;
	}

	private static String project(ServerRequest request) {
		return (String) request.attribute(SimulatorFilter.PROJECT).orElseThrow();
	}

	private static String newVideoId() {
		// Upstream ids are "video_" and 48 hex digits; uniqueness must not depend on the seeded random.
		byte[] bytes = new byte[24];
		ThreadLocalRandom.current().nextBytes(bytes);
		return "video_" + HexFormat.of().formatHex(bytes);
	}

}
