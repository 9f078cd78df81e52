package dev.reelay.job.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.reelay.job.ImageUpload;
import dev.reelay.support.BadRequestException;
import dev.reelay.support.StorableText;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;

/**
 * Reads a multipart job submission: the JSON fields as form fields, plus {@code image} as a file (or a URL). The
 * file is checked for size while it is read and for type by its first bytes, not only by what the client says.
 */
final class JobForm {

	private static final Set<String> FIELDS = Set.of("model", "prompt", "duration_seconds", "aspect_ratio",
			"resolution", "negative_prompt", "seed", "image", "remix_of", "priority", "not_before", "callback_url");

	private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,19}");

	private static final Pattern ID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private JobForm() {
	}

	/** How many fields a form may have. */
	static int fieldCount() {
		return FIELDS.size();
	}

	record Submission(CreateJobRequest request, @Nullable ImageUpload upload) {
	}

	static Mono<Submission> read(MultiValueMap<String, Part> parts, JobInputSettings limits) {
		for (String name : parts.keySet()) {
			if (!FIELDS.contains(name)) {
				return Mono.error(new BadRequestException(name, "Unknown field '" + name
						+ "'; accepted fields are: " + String.join(", ", FIELDS.stream().sorted().toList())));
			}
			if (parts.get(name).size() > 1) {
				return Mono.error(new BadRequestException(name, "Field '" + name + "' is given more than once"));
			}
		}
		Part image = parts.getFirst("image");
		Mono<ImageUpload> upload = (image instanceof FilePart file) ? upload(file, limits) : Mono.empty();
		return upload.map((bytes) -> new Submission(request(parts, null), bytes))
			.switchIfEmpty(Mono.fromCallable(() -> new Submission(request(parts, text(image)), null)));
	}

	private static CreateJobRequest request(MultiValueMap<String, Part> parts, @Nullable String imageUrl) {
		return new CreateJobRequest(text(parts.getFirst("model")), text(parts.getFirst("prompt")),
				integer(parts, "duration_seconds"), text(parts.getFirst("aspect_ratio")),
				text(parts.getFirst("resolution")), text(parts.getFirst("negative_prompt")), number(parts, "seed"),
				imageUrl, uuid(parts, "remix_of"), integer(parts, "priority"), instant(parts, "not_before"),
				text(parts.getFirst("callback_url")));
	}

	private static @Nullable Instant instant(MultiValueMap<String, Part> parts, String name) {
		String value = text(parts.getFirst(name));
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Instant.parse(value.strip());
		}
		catch (DateTimeParseException ex) {
			throw new BadRequestException(name, name + " must be an ISO-8601 instant such as "
					+ "2026-11-22T23:00:00Z; got '" + value + "'");
		}
	}

	static Mono<ImageUpload> upload(FilePart file, JobInputSettings limits) {
		MediaType declared = file.headers().getContentType();
		String type = (declared != null) ? declared.getType() + "/" + declared.getSubtype() : "";
		if (!limits.types().contains(type)) {
			return Mono.error(new BadRequestException("image", "image must be one of " + limits.types()
					+ "; got " + (type.isEmpty() ? "no content type" : type)));
		}
		int max = (int) limits.maxSize().toBytes();
		return DataBufferUtils.join(file.content(), max).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).onErrorMap(DataBufferLimitException.class, (tooBig) -> new BadRequestException("image",
				"image is larger than " + limits.maxSizeText()))
			.flatMap((bytes) -> {
				if (bytes.length == 0) {
					return Mono.error(new BadRequestException("image", "image is empty"));
				}
				ImageHeader header = ImageHeader.read(bytes).orElse(null);
				if (header == null || !header.contentType().equals(type)) {
					return Mono.error(new BadRequestException("image", "image says it is " + type
							+ " but its content is not" + ((header != null) ? "; it is " + header.contentType() : "")));
				}
				int smallest = Math.min(header.width(), header.height());
				int largest = Math.max(header.width(), header.height());
				if (smallest < limits.minSide() || largest > limits.maxSide()) {
					return Mono.error(new BadRequestException("image", "image is " + header.width() + "x"
							+ header.height() + " pixels; each side must be between " + limits.minSide() + " and "
							+ limits.maxSide()));
				}
				return Mono.just(new ImageUpload(type, bytes));
			});
	}

	/**
	 * A field's text. Spring decodes a field's bytes leniently, putting U+FFFD where they are not UTF-8: that
	 * character stands for bytes the client did not mean to send, so it is refused like a NUL or half a surrogate
	 * pair ({@link StorableText}), never stored.
	 */
	private static @Nullable String text(@Nullable Part part) {
		if (!(part instanceof FormFieldPart field)) {
			return null;
		}
		String value = field.value();
		int replaced = value.indexOf('\uFFFD');
		if (replaced >= 0) {
			throw new BadRequestException(field.name(), "Field '" + field.name()
					+ "' is not valid UTF-8 (or holds U+FFFD, the replacement character) at position " + replaced);
		}
		String problem = StorableText.problem(value);
		if (problem != null) {
			throw new BadRequestException(field.name(), "Field '" + field.name() + "' " + problem);
		}
		return value;
	}

	private static @Nullable Integer integer(MultiValueMap<String, Part> parts, String name) {
		Long value = number(parts, name);
		if (value != null && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
			throw new BadRequestException(name, name + " is out of range");
		}
		return (value != null) ? value.intValue() : null;
	}

	private static @Nullable Long number(MultiValueMap<String, Part> parts, String name) {
		String value = text(parts.getFirst(name));
		if (value == null || value.isBlank()) {
			return null;
		}
		// ASCII digits only: Long.parseLong also reads other scripts' digits, which no client means as a number.
		String digits = value.strip();
		try {
			if (!WHOLE_NUMBER.matcher(digits).matches()) {
				throw new NumberFormatException();
			}
			return Long.parseLong(digits);
		}
		catch (NumberFormatException ex) {
			throw new BadRequestException(name, "Field '" + name + "' must be a whole number in digits 0-9");
		}
	}

	private static @Nullable UUID uuid(MultiValueMap<String, Part> parts, String name) {
		String value = text(parts.getFirst(name));
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			if (!ID.matcher(value.strip()).matches()) {
				throw new IllegalArgumentException();
			}
			return UUID.fromString(value.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new BadRequestException(name, "Field '" + name + "' must be a job id (a UUID)");
		}
	}

}
