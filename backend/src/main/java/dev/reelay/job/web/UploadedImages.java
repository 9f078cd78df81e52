package dev.reelay.job.web;

import java.util.List;

import dev.reelay.job.ImageUpload;
import dev.reelay.support.BadRequestException;
import reactor.core.publisher.Mono;

import org.springframework.http.codec.multipart.FilePart;
import org.springframework.modulith.NamedInterface;
import org.springframework.stereotype.Component;

/**
 * An uploaded starting image read and checked as {@code POST /api/v1/jobs} checks it (size while reading, type by
 * its first bytes, sides), for other APIs that take one under another field name. A bad image is an
 * {@link BadRequestException} on the field {@code image}.
 */
@NamedInterface("web")
@Component
public class UploadedImages {

	private final JobInputSettings limits;

	UploadedImages(JobInputSettings limits) {
		this.limits = limits;
	}

	public Mono<ImageUpload> read(FilePart file) {
		return JobForm.upload(file, this.limits);
	}

	/** What an upload may be, for a form to check before sending (the checks above stay the rule). */
	public Limits limits() {
		return new Limits(this.limits.maxSize().toBytes(), this.limits.maxSizeText(), List.copyOf(this.limits.types()));
	}

	/**
	 * The most bytes an image may have, that limit as people write it ({@code 10 MB}), and the media types taken.
	 */
	public record Limits(long maxBytes, String maxSizeText, List<String> types) {
	}

}
