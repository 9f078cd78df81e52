package dev.reelay.openai;

import java.util.Set;
import java.util.UUID;

import dev.reelay.job.ImageUpload;
import dev.reelay.job.Job;
import dev.reelay.job.JobNotFinishedException;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.job.StoredContent;
import dev.reelay.job.web.StoredFileResponse;
import dev.reelay.job.web.UploadedImages;
import dev.reelay.storage.VideoStorage;
import dev.reelay.support.BadRequestException;
import dev.reelay.support.DrainedMultipart;
import dev.reelay.support.StorableText;
import dev.reelay.tenant.CallerTenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * OpenAI's Videos API over the job store (docs/api.md, OpenAI SDKs). Gated like {@code /api/v1}: the
 * tenant's key as a bearer token (none in local mode); every error in OpenAI's shape ({@link OpenAiErrorBodies}).
 */
@RestController
@RequestMapping(OpenAiErrorBodies.BASE + "/videos")
@Tag(name = VideosController.TAG, description = "OpenAI's Videos API (/v1/videos), served over Reelay's jobs so "
		+ "that code written against the official OpenAI SDKs works by changing its base URL. Errors are OpenAI's "
		+ "{\"error\": {\"message\", \"type\", \"param\", \"code\"}}, not problems.")
class VideosController {

	static final String TAG = "OpenAI-compatible videos";

	private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	/** What the official SDKs put on each attempt: 0 on the first, 1 and up on their automatic retries. */
	static final String RETRY_COUNT = "X-Stainless-Retry-Count";

	private static final int MAX_PAGE = 100;

	private static final int DEFAULT_PAGE = 20;

	private static final Set<String> CREATE_FIELDS = Set.of("prompt", "model", "seconds", "size", "input_reference",
			"input_reference[image_url]");

	private static final Set<String> VARIANTS = Set.of("video", "thumbnail", "spritesheet");

	private final JobStore jobs;

	private final VideoRequests requests;

	private final UploadedImages images;

	private final VideoStorage storage;

	private final OpenAiFacadeSettings settings;

	private final DrainedMultipart multipart;

	VideosController(JobStore jobs, VideoRequests requests, UploadedImages images, VideoStorage storage,
			OpenAiFacadeSettings settings, DrainedMultipart multipart) {
		this.multipart = multipart;
		this.jobs = jobs;
		this.requests = requests;
		this.images = images;
		this.storage = storage;
		this.settings = settings;
	}

	/** The JSON body of a create: {@code input_reference} only as an object ({@code image_url}). */
	record CreateJson(@Nullable String prompt, @Nullable String model, @Nullable String seconds,
			@Nullable String size, @Nullable InputReference inputReference) {
	}

	/** OpenAI's ImageRefParam: an image URL (http(s) here), or a file id, which Reelay has no Files API for. */
	record InputReference(@Nullable String imageUrl, @Nullable String fileId) {
	}

	record RemixJson(@Nullable String prompt) {
	}

	@Operation(summary = "Create a video (multipart, as the SDKs send it; input_reference as an image file)")
	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<VideoObject> createMultipart(ServerWebExchange exchange,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@RequestHeader(name = RETRY_COUNT, required = false) @Nullable String retryCount) {
		return this.multipart.read(exchange).flatMap((parts) -> {
			checkFields(parts, CREATE_FIELDS);
			Part reference = parts.getFirst("input_reference");
			String imageUrl = (reference instanceof FilePart) ? text(parts, "input_reference[image_url]")
					: firstNonNull(text(parts, "input_reference"), text(parts, "input_reference[image_url]"));
			VideoRequests.Create create = new VideoRequests.Create(text(parts, "prompt"), text(parts, "model"),
					text(parts, "seconds"), text(parts, "size"), imageUrl);
			Mono<@Nullable ImageUpload> upload = (reference instanceof FilePart file) ? this.images.read(file)
				.onErrorMap(BadRequestException.class,
						(bad) -> OpenAiException.invalid("input_reference", bad.getMessage()))
					: Mono.empty();
			return upload.map((image) -> new Validated(create, image))
				.defaultIfEmpty(new Validated(create, null))
				.flatMap((validated) -> submit(validated.create(), validated.upload(), idempotencyKey, retryCount));
		});
	}

	private record Validated(VideoRequests.Create create, @Nullable ImageUpload upload) {
	}

	@Operation(summary = "Create a video (JSON; input_reference as {\"image_url\": ...})")
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<VideoObject> createJson(@RequestBody CreateJson body,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@RequestHeader(name = RETRY_COUNT, required = false) @Nullable String retryCount) {
		InputReference reference = body.inputReference();
		if (reference != null && reference.fileId() != null) {
			return Mono.error(OpenAiException.invalid("input_reference", "Reelay has no Files API: send "
					+ "input_reference as {\"image_url\": \"https://...\"} or upload the image in a multipart request"));
		}
		return submit(new VideoRequests.Create(body.prompt(), body.model(), body.seconds(), body.size(),
				(reference != null) ? reference.imageUrl() : null), null, idempotencyKey, retryCount);
	}

	private Mono<VideoObject> submit(VideoRequests.Create create, @Nullable ImageUpload upload,
			@Nullable String idempotencyKey, @Nullable String retryCount) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.requests.create(tenant, create, upload))
			.flatMap((job) -> store(job, idempotencyKey, retryCount))
			.map(VideoObject::of);
	}

	/**
	 * With an Idempotency-Key, as the native API keeps it. Without one, an SDK's automatic retry (its retry count
	 * above 0) answers the job its first attempt made, if that attempt was stored within the retry window: the
	 * official SDKs retry a create on a timeout or a 5xx, with the same body and no key of their own.
	 */
	private Mono<Job> store(NewJob job, @Nullable String idempotencyKey, @Nullable String retryCount) {
		String key = idempotencyKey(idempotencyKey);
		if (key != null) {
			return this.jobs.create(job, key).map((submission) -> submission.jobs().get(0));
		}
		if (isRetry(retryCount)) {
			return this.jobs.createRetried(job, this.settings.retryWindow()).map((submission) -> submission.jobs().get(0));
		}
		return this.jobs.create(job);
	}

	private static boolean isRetry(@Nullable String retryCount) {
		if (retryCount == null) {
			return false;
		}
		String count = retryCount.strip();
		return count.matches("[0-9]{1,4}") && Integer.parseInt(count) > 0;
	}

	private static @Nullable String idempotencyKey(@Nullable String header) {
		if (header == null) {
			return null;
		}
		String key = header.strip();
		if (key.isEmpty() || key.length() > 255 || key.contains("#")) {
			throw OpenAiException.invalid(IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to 255 characters without '#'");
		}
		return key;
	}

	@Operation(summary = "Retrieve a video")
	@GetMapping("/{video_id}")
	Mono<VideoObject> retrieve(@PathVariable("video_id") String videoId) {
		return find(videoId, "video_id").map(VideoObject::of);
	}

	@Operation(summary = "List videos (after, limit, order)")
	@GetMapping
	Mono<VideoList> list(@RequestParam(name = "after", required = false) @Nullable String after,
			@RequestParam(name = "limit", required = false) @Nullable String limit,
			@RequestParam(name = "order", required = false) @Nullable String order) {
		int size = limit(limit);
		boolean ascending = ascending(order);
		return CallerTenant.current().flatMap((tenant) -> {
			Mono<@Nullable Job> cursor = (after == null || after.isBlank()) ? Mono.empty()
					: find(tenant, after.strip(), "after")
						.onErrorMap(OpenAiException.class, (missing) -> OpenAiException.invalid("after",
								"Invalid value for 'after': no video with id '" + after.strip() + "'"));
			return cursor.map(java.util.Optional::of)
				.defaultIfEmpty(java.util.Optional.empty())
				.flatMap((start) -> this.jobs.page(tenant, start.orElse(null), ascending, size + 1).collectList())
				.map((rows) -> {
					boolean more = rows.size() > size;
					return VideoList.of((more ? rows.subList(0, size) : rows).stream().map(VideoObject::of).toList(),
							more);
				});
		});
	}

	private static int limit(@Nullable String limit) {
		if (limit == null || limit.isBlank()) {
			return DEFAULT_PAGE;
		}
		String value = limit.strip();
		if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > MAX_PAGE) {
			throw OpenAiException.invalid("limit", "Invalid value for 'limit': it must be a whole number from 0 to "
					+ MAX_PAGE + "; got '" + limit + "'");
		}
		// OpenAI's limit starts at 0; a page of none would never move on, so 0 asks for the default page.
		int size = Integer.parseInt(value);
		return (size == 0) ? DEFAULT_PAGE : size;
	}

	private static boolean ascending(@Nullable String order) {
		if (order == null || order.isBlank() || order.strip().equals("desc")) {
			return false;
		}
		if (order.strip().equals("asc")) {
			return true;
		}
		throw OpenAiException.invalid("order", "Invalid value for 'order': it must be 'asc' or 'desc'; got '" + order
				+ "'");
	}

	@Operation(summary = "Download a video's content: variant video (MP4) or thumbnail; Range supported")
	@GetMapping("/{video_id}/content")
	Mono<ResponseEntity<Flux<DataBuffer>>> content(@PathVariable("video_id") String videoId,
			@RequestParam(name = "variant", required = false) @Nullable String variant,
			@RequestHeader(name = HttpHeaders.RANGE, required = false) @Nullable String range) {
		String asked = (variant == null || variant.isBlank()) ? "video" : variant.strip();
		if (!VARIANTS.contains(asked)) {
			return Mono.error(OpenAiException.invalid("variant", "Invalid value for 'variant': it must be one of "
					+ "'video', 'thumbnail', 'spritesheet'; got '" + variant + "'"));
		}
		return find(videoId, "video_id").flatMap((job) -> {
			StoredContent content = job.content();
			if (job.status() != JobStatus.COMPLETED || content == null) {
				return Mono.error(OpenAiException.notFound("video_id", (job.status().isTerminal())
						? "Video " + videoId + " " + VideoObject.status(job.status()) + "; there is no content to download."
						: "Video is not ready yet, use GET /v1/videos/" + videoId + " to check its status."));
			}
			if (asked.equals("spritesheet")) {
				return Mono.error(OpenAiException.notFound("variant", "Reelay has no spritesheet of a video; the "
						+ "variants served are 'video' and, where the provider gave one, 'thumbnail'."));
			}
			if (asked.equals("thumbnail")) {
				StoredContent.Thumbnail thumbnail = content.thumbnail();
				if (thumbnail == null) {
					return Mono.error(OpenAiException.notFound("variant", "Video " + videoId + " has no thumbnail: "
							+ "its provider gave none, or it could not be saved."));
				}
				return StoredFileResponse.serve(this.storage, thumbnail.location(), thumbnail.contentType(),
						thumbnail.length(), range, null, "The stored thumbnail of video " + videoId + " is missing");
			}
			return StoredFileResponse.serve(this.storage, content.location(), content.contentType(), content.length(),
					range, "inline; filename=\"" + VideoIds.of(job.id()) + ".mp4\"",
					"The stored video of video " + videoId + " is missing");
		});
	}

	@Operation(summary = "Remix a completed video with a new prompt (multipart)")
	@PostMapping(path = "/{video_id}/remix", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<VideoObject> remixMultipart(@PathVariable("video_id") String videoId, ServerWebExchange exchange,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@RequestHeader(name = RETRY_COUNT, required = false) @Nullable String retryCount) {
		return this.multipart.read(exchange).flatMap((parts) -> {
			checkFields(parts, Set.of("prompt"));
			return remix(videoId, text(parts, "prompt"), idempotencyKey, retryCount);
		});
	}

	@Operation(summary = "Remix a completed video with a new prompt (JSON)")
	@PostMapping(path = "/{video_id}/remix", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<VideoObject> remixJson(@PathVariable("video_id") String videoId, @RequestBody RemixJson body,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@RequestHeader(name = RETRY_COUNT, required = false) @Nullable String retryCount) {
		return remix(videoId, body.prompt(), idempotencyKey, retryCount);
	}

	private Mono<VideoObject> remix(String videoId, @Nullable String prompt, @Nullable String idempotencyKey,
			@Nullable String retryCount) {
		return CallerTenant.current().flatMap((tenant) -> find(tenant, videoId, "video_id").flatMap((source) -> {
			if (source.status() != JobStatus.COMPLETED || source.remoteId() == null) {
				throw OpenAiException.invalid("video_id", "Video " + videoId + " is "
						+ VideoObject.status(source.status()) + "; only completed videos can be remixed");
			}
			return this.requests.remix(tenant, source, prompt);
		})).flatMap((job) -> store(job, idempotencyKey, retryCount)).map(VideoObject::of);
	}

	/**
	 * Deletes a video and its stored files. OpenAI documents the call for completed and failed videos only; here a
	 * video still queued or in progress is canceled first (its generation stopped where the provider allows), then
	 * deleted: whoever deletes a video has given up on it, and an error would only make the SDK's caller cancel by
	 * another route that OpenAI's API does not have.
	 */
	@Operation(summary = "Delete a video (a video not finished yet is canceled, then deleted)")
	@DeleteMapping("/{video_id}")
	Mono<DeletedVideo> delete(@PathVariable("video_id") String videoId) {
		return CallerTenant.current().flatMap((tenant) -> find(tenant, videoId, "video_id")
			.flatMap((job) -> job.status().isTerminal() ? Mono.just(job) : this.jobs.cancel(tenant, job.id()))
			.flatMap((job) -> this.jobs.delete(tenant, job.id()))
			.onErrorMap(JobNotFoundException.class,
					(missing) -> OpenAiException.notFound("video_id", "No video found with id '" + videoId + "'"))
			// Lost a race with the dispatcher: a 409, which the SDKs retry by themselves.
			.onErrorMap(JobNotFinishedException.class, (running) -> OpenAiException.conflict("video_id",
					"video_busy", "Video " + videoId + " was changing while being deleted; try again"))
			.map((deleted) -> DeletedVideo.of(VideoIds.of(deleted.id()))));
	}

	// What Reelay cannot do answers OpenAI's error shape, never a 500 or a bare 404 page.

	@Operation(summary = "Not served: edits of a video")
	@PostMapping("/edits")
	Mono<VideoObject> edit() {
		return Mono.error(OpenAiException.unsupported("Reelay does not serve video edits (POST /v1/videos/edits): "
				+ "no provider of its catalog edits a video; create a new video, or remix a completed one."));
	}

	@Operation(summary = "Not served: extensions of a video")
	@PostMapping("/extensions")
	Mono<VideoObject> extend() {
		return Mono.error(OpenAiException.unsupported("Reelay does not serve video extensions (POST "
				+ "/v1/videos/extensions): no provider of its catalog extends a video it made."));
	}

	@Operation(summary = "Not served: characters")
	@PostMapping("/characters")
	Mono<VideoObject> createCharacter() {
		return Mono.error(OpenAiException.unsupported("Reelay does not serve characters (POST /v1/videos/characters):"
				+ " they were a Sora feature that no provider of its catalog offers."));
	}

	@Operation(summary = "Not served: characters")
	@GetMapping("/characters/{character_id}")
	Mono<VideoObject> getCharacter(@PathVariable("character_id") String characterId) {
		return Mono.error(OpenAiException.unsupported("Reelay does not serve characters (GET "
				+ "/v1/videos/characters/{character_id}): they were a Sora feature that no provider of its catalog "
				+ "offers."));
	}

	private Mono<Job> find(String videoId, String param) {
		return CallerTenant.current().flatMap((tenant) -> find(tenant, videoId, param));
	}

	/** Another tenant's video is as missing as one that never existed. */
	private Mono<Job> find(UUID tenant, String videoId, String param) {
		UUID id = VideoIds.parse(videoId);
		if (id == null) {
			return Mono.error(OpenAiException.notFound(param, "No video found with id '" + videoId + "'"));
		}
		return this.jobs.find(tenant, id)
			.onErrorMap(JobNotFoundException.class,
					(missing) -> OpenAiException.notFound(param, "No video found with id '" + videoId + "'"));
	}

	private static void checkFields(MultiValueMap<String, Part> parts, Set<String> accepted) {
		for (String name : parts.keySet()) {
			if (!accepted.contains(name)) {
				throw OpenAiException.invalid(name, "Unknown parameter: '" + name + "'. Accepted: "
						+ String.join(", ", accepted.stream().sorted().toList()));
			}
			if (parts.get(name).size() > 1) {
				throw OpenAiException.invalid(name, "Parameter '" + name + "' is given more than once");
			}
		}
	}

	/** A form field's text, refused where it is no text a job can store (a NUL, broken UTF-8). */
	private static @Nullable String text(MultiValueMap<String, Part> parts, String name) {
		if (!(parts.getFirst(name) instanceof FormFieldPart field)) {
			return null;
		}
		String value = field.value();
		int replaced = value.indexOf('\uFFFD');
		String problem = (replaced >= 0) ? "is not valid UTF-8 at position " + replaced : StorableText.problem(value);
		if (problem != null) {
			throw OpenAiException.invalid(name, "Invalid value for '" + name + "': it " + problem);
		}
		return value;
	}

	private static @Nullable String firstNonNull(@Nullable String first, @Nullable String second) {
		return (first != null) ? first : second;
	}

}
