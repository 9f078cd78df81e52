package dev.reelay.job.web;

import java.net.URI;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.JobView;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/v1/jobs/{id}/retry}: a new job with the same request as a failed or canceled one. Ended jobs
 * stay ended (the state machine has no way back), so a retry is a new job with its own history, checked against
 * the catalog as it is today and, for a remix, against its source as it is now ({@link JobSubmissions}).
 */
@RestController
class JobRetryController {

	private final JobStore jobs;

	private final JobSubmissions submissions;

	JobRetryController(JobStore jobs, JobSubmissions submissions) {
		this.jobs = jobs;
		this.submissions = submissions;
	}

	@PostMapping("/api/v1/jobs/{id}/retry")
	Mono<ResponseEntity<JobView>> retry(@PathVariable UUID id) {
		return this.jobs.findForCaller(id).flatMap((job) -> {
			if (job.status() != JobStatus.FAILED && job.status() != JobStatus.CANCELED) {
				return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Job " + id + " is "
						+ job.status().value() + "; only failed or canceled jobs can be retried"));
			}
			return this.submissions.retry(job);
		})
			.map((created) -> ResponseEntity.accepted()
				.location(URI.create("/api/v1/jobs/" + created.id()))
				.body(JobView.of(created)));
	}

}
