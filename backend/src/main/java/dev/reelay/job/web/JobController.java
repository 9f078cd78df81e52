package dev.reelay.job.web;

import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.reelay.job.ImageUpload;
import dev.reelay.job.Job;
import dev.reelay.job.JobPage;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobQuery;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.JobView;
import dev.reelay.job.StoredContent;
import dev.reelay.storage.VideoStorage;
import dev.reelay.support.BadRequestException;
import dev.reelay.support.DrainedMultipart;
import dev.reelay.support.Money;
import dev.reelay.tenant.CallerTenant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/** Job API v1: submit, read, list, cancel, download. */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

	private static final int MAX_PAGE = 100;

	private static final String IDEMPOTENCY_KEY = JobSubmissions.IDEMPOTENCY_KEY;

	private final JobStore jobs;

	private final JobSubmissions submissions;

	private final VideoStorage storage;

	private final JobInputSettings inputs;

	private final DataSize maxField;

	private final DrainedMultipart multipart;

	JobController(JobStore jobs, JobSubmissions submissions, VideoStorage storage, JobInputSettings inputs,
			@Value("${spring.webflux.multipart.max-in-memory-size:256KB}") DataSize maxField,
			DrainedMultipart multipart) {
		this.multipart = multipart;
		this.jobs = jobs;
		this.submissions = submissions;
		this.storage = storage;
		this.inputs = inputs;
		this.maxField = maxField;
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<JobView>> create(@RequestBody CreateJobRequest request,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
		return submit(request, null, idempotencyKey);
	}

	/** The same fields as form fields, and {@code image} as an uploaded file (image-to-video). */
	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<ResponseEntity<JobView>> createWithUpload(ServerWebExchange exchange,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
		return this.multipart.read(exchange)
			.onErrorMap(this::unreadableForm)
			.flatMap((parts) -> JobForm.read(parts, this.inputs))
			.flatMap((form) -> submit(form.request(), form.upload(), idempotencyKey));
	}

	/**
	 * What Spring's multipart reader refused, in plain words (its own messages name its settings). Only files are
	 * written to disk, so a part over the disk limit is the image; a text field over the memory limit is far longer
	 * than any field takes; the rest is a body that does not match its boundary or has too many parts.
	 */
	private Throwable unreadableForm(Throwable error) {
		String message = String.valueOf(error.getMessage());
		if (error instanceof DataBufferLimitException && message.startsWith("Form field")) {
			long bytes = this.maxField.toBytes();
			String limit = (bytes % (1024 * 1024) == 0) ? (bytes / (1024 * 1024)) + " MB" : (bytes / 1024) + " KB";
			return new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "A form field is larger than " + limit
					+ "; no field takes that much (a prompt takes at most the model's max_prompt_length characters: "
					+ "see GET /api/v1/models)");
		}
		if (error instanceof DataBufferLimitException) {
			return new BadRequestException("image", "image is larger than " + this.inputs.maxSizeText());
		}
		if (error instanceof DecodingException) {
			if (message.startsWith("Too many parts")) {
				return new ResponseStatusException(HttpStatus.BAD_REQUEST,
						"The form has more parts than a job takes (one per field: " + JobForm.fieldCount() + " at most)");
			}
			if (message.startsWith("No multipart boundary")) {
				return new ResponseStatusException(HttpStatus.BAD_REQUEST,
						"Content-Type multipart/form-data needs a boundary parameter");
			}
			return new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"The multipart body does not match its boundary, or ends before its closing boundary");
		}
		return error;
	}

	private Mono<ResponseEntity<JobView>> submit(CreateJobRequest request, @Nullable ImageUpload upload,
			@Nullable String idempotencyKey) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.submissions.submit(tenant, request, upload, idempotencyKey))
			.map((submission) -> {
				Job job = submission.jobs().get(0);
				return accepted(submission).location(URI.create("/api/v1/jobs/" + job.id())).body(JobView.of(job));
			});
	}

	/**
	 * Validates and prices a job without creating it: what {@code POST /api/v1/jobs} would store, or the same
	 * problem it would answer (a bad field, or over budget).
	 */
	@PostMapping(path = "/estimate", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<JobEstimate> estimate(@RequestBody CreateJobRequest request) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.submissions.estimate(tenant, request))
			.map(JobEstimate::of);
	}

	/** A job as it would be created: its model, parameters, estimated cost, and why it would wait, if it would. */
	record JobEstimate(String model, String provider, JobParameters parameters, @Nullable Money estimatedCost,
			@Nullable String statusReason) {

		static JobEstimate of(Job job) {
			JobView view = JobView.of(job);
			return new JobEstimate(job.model(), job.provider(), job.parameters(), view.estimatedCost(),
					job.statusReason());
		}

	}

	@PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<JobPage>> createBatch(@RequestBody CreateBatchRequest request,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.submissions.submitBatch(tenant, request, idempotencyKey))
			.map((submission) -> accepted(submission)
				.body(new JobPage(submission.jobs().stream().map(JobView::of).toList(), null)));
	}

	private static ResponseEntity.BodyBuilder accepted(JobStore.Submission submission) {
		ResponseEntity.BodyBuilder response = ResponseEntity.accepted();
		return submission.replayed() ? response.header("Idempotent-Replayed", "true") : response;
	}

	@GetMapping("/{id}")
	Mono<JobView> get(@PathVariable UUID id) {
		return this.jobs.findForCaller(id).map(JobView::of);
	}

	/**
	 * The caller's jobs, narrowed by status, model and words of the prompt ({@code q}), all combined, newest first
	 * or oldest first ({@code sort}).
	 */
	@GetMapping
	Mono<JobPage> list(@RequestParam(required = false) @Nullable List<String> status,
			@RequestParam(defaultValue = "20") int limit, @RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable String q, @RequestParam(required = false) @Nullable String model,
			@RequestParam(required = false) @Nullable String sort) {
		if (limit < 1 || limit > MAX_PAGE) {
			return Mono.error(new BadRequestException("limit",
					"limit must be between 1 and " + MAX_PAGE + "; got " + limit));
		}
		return Mono.fromCallable(() -> new JobQuery(statuses(status), JobQuery.model(model), JobQuery.search(q),
				JobQuery.oldestFirst(sort)))
			.flatMap((query) -> CallerTenant.current().flatMap((tenant) -> this.jobs.search(tenant, query, cursor, limit)));
	}

	@PostMapping("/{id}/cancel")
	Mono<JobView> cancel(@PathVariable UUID id) {
		return CallerTenant.current().flatMap((tenant) -> this.jobs.cancel(tenant, id)).map((job) -> {
			if (job.status() != JobStatus.CANCELED) {
				throw new ResponseStatusException(HttpStatus.CONFLICT,
						"Job " + id + " already ended as " + job.status().value() + " and cannot be canceled");
			}
			return JobView.of(job);
		});
	}

	/**
	 * Deletes a finished job: its stored video and thumbnail, its prompt and its row as the API sees it (404 from
	 * now on). Streams get a {@code job.deleted} event. A job that has not ended is refused with 409: cancel it first.
	 */
	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> delete(@PathVariable UUID id) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.jobs.delete(tenant, id))
			.thenReturn(ResponseEntity.noContent().build());
	}

	/** The finished video, with HTTP Range support (the page's player seeks). */
	@GetMapping("/{id}/content")
	Mono<ResponseEntity<Flux<DataBuffer>>> content(@PathVariable UUID id,
			@RequestHeader(name = HttpHeaders.RANGE, required = false) @Nullable String range) {
		return this.jobs.findForCaller(id).flatMap((job) -> {
			StoredContent content = job.content();
			if (job.status() != JobStatus.COMPLETED || content == null) {
				return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
						"Job " + id + " is " + job.status().value() + "; its video is available once it is completed"));
			}
			return StoredFileResponse.serve(this.storage, content.location(), content.contentType(), content.length(),
					range, "inline; filename=\"reelay-" + id + ".mp4\"",
					"The stored video of job " + id + " is missing from storage");
		});
	}

	/** The video's still image, where the provider offered one and it was saved. */
	@GetMapping("/{id}/thumbnail")
	Mono<ResponseEntity<Flux<DataBuffer>>> thumbnail(@PathVariable UUID id,
			@RequestHeader(name = HttpHeaders.RANGE, required = false) @Nullable String range) {
		return this.jobs.findForCaller(id).flatMap((job) -> {
			StoredContent content = job.content();
			StoredContent.Thumbnail thumbnail = (job.status() == JobStatus.COMPLETED && content != null)
					? content.thumbnail() : null;
			if (thumbnail == null) {
				return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "Job " + id + " has no thumbnail"
						+ ((job.status() == JobStatus.COMPLETED) ? "" : " (yet: it is " + job.status().value() + ")")));
			}
			return StoredFileResponse.serve(this.storage, thumbnail.location(), thumbnail.contentType(),
					thumbnail.length(), range, null, "The stored thumbnail of job " + id + " is missing from storage");
		});
	}

	private static @Nullable Set<JobStatus> statuses(@Nullable List<String> values) {
		if (values == null || values.isEmpty()) {
			return null;
		}
		Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
		values.stream().flatMap((value) -> Arrays.stream(value.split(","))).map(String::strip).forEach((value) -> {
			try {
				statuses.add(JobStatus.fromValue(value));
			}
			catch (IllegalArgumentException ex) {
				throw new BadRequestException("status", "status '" + value + "' is not one of "
						+ Arrays.stream(JobStatus.values()).map(JobStatus::value).toList());
			}
		});
		return statuses;
	}

}
