package dev.reelay.dispatch;

import java.util.Optional;
import java.util.UUID;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** A job's request in its provider's terms: remote model name, uploaded image bytes, the remix source's remote id. */
@Component
class GenerationRequests {

	private final JobStore jobs;

	private final ModelCatalog catalog;

	GenerationRequests(JobStore jobs, ModelCatalog catalog) {
		this.jobs = jobs;
		this.catalog = catalog;
	}

	/** {@code job}'s request; fails (permanently) when an input it needs is gone. */
	Mono<GenerationRequest> of(Job job) {
		JobParameters parameters = job.parameters();
		JobParameters.ImageRef image = parameters.image();
		String remoteModel = this.catalog.find(job.model())
			.map((model) -> model.remoteModelFor(job.provider(), image != null))
			.orElse(job.model());
		Mono<Optional<ImageInput>> imageInput = (image == null) ? Mono.just(Optional.empty())
				: (image.url() != null) ? Mono.just(Optional.of(new ImageInput.Url(image.url())))
						: this.jobs.uploadedImage(job.id())
							.map((upload) -> Optional.<ImageInput>of(new ImageInput.Upload(upload.bytes(),
									upload.contentType())))
							.switchIfEmpty(Mono.error(() -> inputLost(job, "its uploaded image is missing")));
		UUID remixOf = parameters.remixOf();
		Mono<Optional<String>> remixSource = (remixOf == null) ? Mono.just(Optional.empty())
				: this.jobs.find(remixOf)
					.flatMap((source) -> Mono.justOrEmpty(source.remoteId()))
					.map(Optional::of)
					.switchIfEmpty(Mono.error(() -> inputLost(job, "the video it remixes has no remote id")));
		return Mono.zip(imageInput, remixSource)
			.map((inputs) -> new GenerationRequest(remoteModel, job.prompt(), parameters.durationSeconds(),
					parameters.aspectRatio(), parameters.resolution(), parameters.negativePrompt(), parameters.seed(),
					inputs.getT1().orElse(null), inputs.getT2().orElse(null)));
	}

	private static ProviderException inputLost(Job job, String what) {
		return new ProviderException(ProviderException.Kind.PERMANENT, "input_missing",
				"Job " + job.id() + " cannot be sent: " + what + ".", 0, null, null, null);
	}

}
