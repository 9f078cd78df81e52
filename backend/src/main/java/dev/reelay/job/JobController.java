package dev.reelay.job;

import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.reelay.storage.VideoStorage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Job API v1: submit, read, list, cancel, download. */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

	private static final int MAX_PAGE = 100;

	private final JobStore jobs;

	private final JobRequestValidator validator;

	private final VideoStorage storage;

	JobController(JobStore jobs, JobRequestValidator validator, VideoStorage storage) {
		this.jobs = jobs;
		this.validator = validator;
		this.storage = storage;
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<JobView>> create(@RequestBody CreateJobRequest request) {
		return Mono.fromCallable(() -> this.validator.validate(request))
			.flatMap(this.jobs::create)
			.map((job) -> ResponseEntity.accepted()
				.location(URI.create("/api/v1/jobs/" + job.id()))
				.body(JobView.of(job)));
	}

	@GetMapping("/{id}")
	Mono<JobView> get(@PathVariable UUID id) {
		return this.jobs.find(id).map(JobView::of);
	}

	@GetMapping
	Mono<JobPage> list(@RequestParam(required = false) @Nullable List<String> status,
			@RequestParam(defaultValue = "20") int limit, @RequestParam(required = false) @Nullable String cursor) {
		if (limit < 1 || limit > MAX_PAGE) {
			return Mono.error(new InvalidJobRequestException("limit",
					"limit must be between 1 and " + MAX_PAGE + "; got " + limit));
		}
		return Mono.defer(() -> this.jobs.list(statuses(status), cursor, limit));
	}

	@PostMapping("/{id}/cancel")
	Mono<JobView> cancel(@PathVariable UUID id) {
		return this.jobs.cancel(id).map((job) -> {
			if (job.status() != JobStatus.CANCELED) {
				throw new ResponseStatusException(HttpStatus.CONFLICT,
						"Job " + id + " already ended as " + job.status().value() + " and cannot be canceled");
			}
			return JobView.of(job);
		});
	}

	@GetMapping("/{id}/content")
	Mono<ResponseEntity<Resource>> content(@PathVariable UUID id) {
		return this.jobs.find(id).flatMap((job) -> {
			StoredContent content = job.content();
			if (job.status() != JobStatus.COMPLETED || content == null) {
				return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
						"Job " + id + " is " + job.status().value() + "; its video is available once it is completed"));
			}
			return this.storage.open(content.location())
				.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.GONE,
						"The stored video of job " + id + " is missing from storage")))
				.map((resource) -> ResponseEntity.ok()
					.contentType(MediaType.parseMediaType(content.contentType()))
					.header("Content-Disposition", "inline; filename=\"reelay-" + id + ".mp4\"")
					.body(resource));
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
				throw new InvalidJobRequestException("status", "status '" + value + "' is not one of "
						+ Arrays.stream(JobStatus.values()).map(JobStatus::value).toList());
			}
		});
		return statuses;
	}

}
