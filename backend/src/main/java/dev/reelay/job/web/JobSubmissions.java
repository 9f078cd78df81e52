package dev.reelay.job.web;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.ImageUpload;
import dev.reelay.job.Job;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.modulith.NamedInterface;
import org.springframework.stereotype.Service;

/**
 * The one way a job request becomes a job, whatever the door (create, batch, estimate, retry, the OpenAI facade):
 * checked against the catalog ({@link JobRequestValidator}), a remix checked against its source and sent to the
 * route that made it, then queued or previewed by the {@link JobStore}. A door that skipped a step would store jobs
 * the others refuse.
 */
@Service
@NamedInterface("web")
public class JobSubmissions {

	static final int MAX_BATCH = 100;

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private final JobStore jobs;

	private final JobRequestValidator validator;

	private final ProviderInstances providers;

	JobSubmissions(JobStore jobs, JobRequestValidator validator, ProviderInstances providers) {
		this.jobs = jobs;
		this.validator = validator;
		this.providers = providers;
	}

	/**
	 * {@code request} of {@code tenant} as the job to store, or a {@link BadRequestException} naming the field: the
	 * catalog's rules, then, for a remix, its source.
	 */
	public Mono<NewJob> validate(UUID tenant, CreateJobRequest request, @Nullable ImageUpload upload) {
		return Mono.fromCallable(() -> this.validator.validate(tenant, request, upload)).flatMap(this::remixSource);
	}

	/**
	 * Validates and queues one job, under the idempotency key of the {@code Idempotency-Key} header, if sent
	 * (checked once the request is valid).
	 */
	Mono<JobStore.Submission> submit(UUID tenant, CreateJobRequest request, @Nullable ImageUpload upload,
			@Nullable String idempotencyKey) {
		return validate(tenant, request, upload)
			.flatMap((job) -> this.jobs.create(job, idempotencyKey(idempotencyKey)));
	}

	/** Validates every job of a batch, then queues all of them or none, under an optional idempotency key. */
	Mono<JobStore.Submission> submitBatch(UUID tenant, CreateBatchRequest request, @Nullable String idempotencyKey) {
		return Mono.fromCallable(() -> validateBatch(tenant, request))
			.flatMap((batch) -> Flux.fromIterable(batch).concatMap(this::remixSource).collectList())
			.flatMap((batch) -> this.jobs.createBatch(batch, idempotencyKey(idempotencyKey)));
	}

	/** What {@link #submit} would store, stored nowhere: the job as admitted (priced, maybe held). */
	Mono<Job> estimate(UUID tenant, CreateJobRequest request) {
		return validate(tenant, request, null).flatMap(this.jobs::preview);
	}

	/**
	 * A new job with the request of {@code ended}, checked as a new request is: against today's catalog and, for a
	 * remix, its source as it is now.
	 */
	Mono<Job> retry(Job ended) {
		JobParameters parameters = ended.parameters();
		// An uploaded image is gone once its job ended; an image URL or a remix source carries over.
		JobParameters.ImageRef image = parameters.image();
		CreateJobRequest again = new CreateJobRequest(ended.model(), ended.prompt(), parameters.durationSeconds(),
				parameters.aspectRatio(), parameters.resolution(), parameters.negativePrompt(), parameters.seed(),
				(image != null) ? image.url() : null, parameters.remixOf(), ended.priority(), null,
				parameters.callbackUrl());
		return validate(ended.tenantId(), again, null).flatMap(this.jobs::create);
	}

	private static @Nullable String idempotencyKey(@Nullable String header) {
		if (header == null) {
			return null;
		}
		String key = header.strip();
		if (key.isEmpty() || key.length() > 255 || key.contains("#")) {
			throw new BadRequestException(IDEMPOTENCY_KEY,
					"Idempotency-Key must be 1 to 255 characters without '#'");
		}
		return key;
	}

	private List<NewJob> validateBatch(UUID tenant, CreateBatchRequest request) {
		List<CreateJobRequest> jobs = request.jobs();
		if (jobs == null || jobs.isEmpty()) {
			throw new BadRequestException("jobs", "jobs must list between 1 and " + MAX_BATCH + " jobs");
		}
		if (jobs.size() > MAX_BATCH) {
			throw new BadRequestException("jobs",
					"a batch holds at most " + MAX_BATCH + " jobs; got " + jobs.size());
		}
		List<NewJob> valid = new ArrayList<>(jobs.size());
		for (int i = 0; i < jobs.size(); i++) {
			try {
				valid.add(this.validator.validate(tenant, jobs.get(i), null));
			}
			catch (BadRequestException ex) {
				// Nothing of the batch is stored: say which job and which field.
				throw new BadRequestException("jobs[" + i + "]." + ex.field(), "jobs[" + i + "]: " + ex.getMessage());
			}
		}
		return valid;
	}

	/**
	 * A remix needs a finished video of the same model to start from, and goes to the route that made it: only that
	 * provider knows the source by its id.
	 */
	private Mono<NewJob> remixSource(NewJob job) {
		UUID sourceId = job.parameters().remixOf();
		if (sourceId == null) {
			return Mono.just(job);
		}
		// Another tenant's job is no job at all here: the same answer as an id that never existed.
		return this.jobs.find(job.tenantId(), sourceId)
			.onErrorMap(JobNotFoundException.class,
					(missing) -> new BadRequestException("remix_of", "no job with id " + sourceId + " to remix"))
			.flatMap((source) -> {
				if (source.status() != JobStatus.COMPLETED || source.remoteId() == null) {
					return Mono.error(new BadRequestException("remix_of", "job " + sourceId + " is "
							+ source.status().value() + "; only completed videos can be remixed"));
				}
				if (!source.model().equals(job.model())) {
					return Mono.error(new BadRequestException("remix_of", "job " + sourceId + " was made with "
							+ source.model() + "; a remix must use the same model"));
				}
				// The remix goes to the instance that made the source: it must be one whose family can remix (an
				// operator's catalog may offer remix on a model some of whose routes cannot; see CatalogTraitsCheck).
				if (!this.providers.traits(source.provider()).map(FamilyTraits::remix).orElse(false)) {
					return Mono.error(new BadRequestException("remix_of", "job " + sourceId + " was made through '"
							+ source.provider() + "', which cannot remix videos"));
				}
				return Mono.just(job.onRoute(source.provider()));
			});
	}

}
