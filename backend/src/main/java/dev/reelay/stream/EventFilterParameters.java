package dev.reelay.stream;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.reelay.job.JobEventFilter;
import dev.reelay.job.JobStatus;
import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Reads the filters of {@code /api/v1/events}: each may be repeated or comma-separated ({@code status=queued,failed}
 * or {@code status=queued&status=failed}). A bad value is a 400 naming the parameter.
 */
final class EventFilterParameters {

	private static final int MAX_NAME_LENGTH = 200;

	private EventFilterParameters() {
	}

	static JobEventFilter parse(@Nullable List<String> status, @Nullable List<String> model,
			@Nullable List<String> provider, @Nullable List<String> jobId, int maxValues) {
		return new JobEventFilter(values("job_id", jobId, maxValues, EventFilterParameters::jobId),
				values("status", status, maxValues, EventFilterParameters::status),
				values("model", model, maxValues, EventFilterParameters::name),
				values("provider", provider, maxValues, EventFilterParameters::name));
	}

	private static <T> Set<T> values(String field, @Nullable List<String> raw, int maxValues,
			Function<String, @Nullable T> parse) {
		Set<T> parsed = new LinkedHashSet<>();
		if (raw == null) {
			return parsed;
		}
		for (String value : raw.stream().flatMap((item) -> Arrays.stream(item.split(","))).map(String::strip).toList()) {
			if (value.isEmpty()) {
				continue;
			}
			T item = parse.apply(value);
			if (item == null) {
				throw new BadRequestException(field, problem(field, value));
			}
			parsed.add(item);
			if (parsed.size() > maxValues) {
				throw new BadRequestException(field,
						field + " may list at most " + maxValues + " values; open several streams for more");
			}
		}
		return parsed;
	}

	private static String problem(String field, String value) {
		return switch (field) {
			case "status" -> "status '" + value + "' is not one of "
					+ Arrays.stream(JobStatus.values()).map(JobStatus::value).toList();
			case "job_id" -> "job_id '" + value + "' is not a job id (a UUID)";
			default -> field + " '" + value + "' is longer than " + MAX_NAME_LENGTH + " characters";
		};
	}

	private static @Nullable JobStatus status(String value) {
		try {
			return JobStatus.fromValue(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static @Nullable UUID jobId(String value) {
		// ASCII only: UUID.fromString also reads other scripts' digits, giving one job several spellings.
		if (!value.chars().allMatch((c) -> c < 0x80)) {
			return null;
		}
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static @Nullable String name(String value) {
		return (value.length() <= MAX_NAME_LENGTH) ? value : null;
	}

}
