package dev.reelay.job;

import java.util.Collection;
import java.util.Locale;

import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;

/**
 * What a list of jobs is narrowed to and in which order: statuses, a model, words the prompt contains (any case),
 * newest or oldest first. All of them combine.
 */
public record JobQuery(@Nullable Collection<JobStatus> statuses, @Nullable String model, @Nullable String search,
		boolean oldestFirst) {

	/** Longer than any phrase a person searches for; keeps the pattern (and its trigram lookup) small. */
	static final int MAX_SEARCH = 200;

	static JobQuery of(@Nullable Collection<JobStatus> statuses) {
		return new JobQuery(statuses, null, null, false);
	}

	/** The order named by {@code sort}: {@code -created_at} (newest first, the default) or {@code created_at}. */
	public static boolean oldestFirst(@Nullable String sort) {
		if (sort == null || sort.isBlank()) {
			return false;
		}
		return switch (sort.strip().toLowerCase(Locale.ROOT)) {
			case "-created_at", "newest" -> false;
			case "created_at", "oldest" -> true;
			default -> throw new BadRequestException("sort",
					"sort must be -created_at (newest first) or created_at (oldest first); got '" + sort + "'");
		};
	}

	/** The words to look for, stripped; null for none. */
	public static @Nullable String search(@Nullable String q) {
		if (q == null || q.isBlank()) {
			return null;
		}
		String words = q.strip();
		if (words.length() > MAX_SEARCH) {
			throw new BadRequestException("q", "q must be at most " + MAX_SEARCH + " characters; got "
					+ words.length());
		}
		// PostgreSQL cannot hold a NUL in text (%00 in a URL decodes to one); anything else is searched for as is.
		if (words.indexOf('\0') >= 0) {
			throw new BadRequestException("q", "q may not contain NUL characters");
		}
		return words;
	}

	/** The model to list; null for all. Any id is taken (a model may have left the catalog but kept its jobs). */
	public static @Nullable String model(@Nullable String model) {
		if (model == null || model.isBlank()) {
			return null;
		}
		String id = model.strip();
		if (id.length() > 100 || id.chars().anyMatch(Character::isISOControl)) {
			throw new BadRequestException("model", "model must be a model id (see GET /api/v1/models)");
		}
		return id;
	}

	/** {@code search} as an ILIKE pattern that matches it literally anywhere in the prompt. */
	public @Nullable String likePattern() {
		if (this.search == null) {
			return null;
		}
		String escaped = this.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
		return "%" + escaped + "%";
	}

}
