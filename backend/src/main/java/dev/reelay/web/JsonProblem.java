package dev.reelay.web;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A Jackson error as the field at fault ({@code jobs[3].priority}) and a sentence in plain words. Jackson's own
 * messages name Java types and its settings ({@code java.lang.Integer}, {@code CoercionConfig}), which mean
 * nothing to a client and say more about the server than it needs to know; they never reach a problem.
 */
record JsonProblem(@Nullable String field, String detail) {

	static JsonProblem of(JacksonException error) {
		String field = field(error);
		if (error instanceof UnrecognizedPropertyException unknown) {
			String known = unknown.getKnownPropertyIds()
				.stream()
				.map(String::valueOf)
				.sorted()
				.collect(Collectors.joining(", "));
			return new JsonProblem(field, "Unknown field '" + field + "'; accepted fields are: " + known);
		}
		String original = String.valueOf(error.getOriginalMessage());
		String where = where(error.getLocation());
		if (original.startsWith("Trailing token")) {
			return new JsonProblem(null, "The body has more after its JSON object" + where);
		}
		if (error instanceof UnexpectedEndOfInputException) {
			return new JsonProblem(null, "The body ends before its JSON value does" + where);
		}
		if (error instanceof PlainInputException plain) {
			return about(field, plain.getOriginalMessage());
		}
		if (error instanceof StreamConstraintsException) {
			// Only the top-level field: the path into a document nested 2,000 deep is no help.
			String top = (field != null) ? field.split("[.\\[]", 2)[0] : null;
			return about((top == null || top.isEmpty()) ? null : top, limit(original));
		}
		if (error instanceof InputCoercionException coercion) {
			return about(field, "is out of range" + range(coercion.getTargetType()));
		}
		if (error instanceof MismatchedInputException mismatch) {
			Class<?> target = mismatch.getTargetType();
			if (mismatch.getCurrentToken() == JsonToken.VALUE_NUMBER_INT && isWholeNumber(target)) {
				return about(field, "is out of range" + range(target));
			}
			if (field == null) {
				return new JsonProblem(null, (mismatch.getCurrentToken() == null)
						? "The body is empty or ends too soon; send a JSON object" : "The body must be a JSON object");
			}
			return about(field, "must be " + expected(target));
		}
		if (error instanceof DatabindException) {
			return about(field, "could not be read");
		}
		if (original.startsWith("Duplicate ")) {
			return about(field, "is given more than once");
		}
		if (original.contains("'NaN'") || original.contains("Infinity'")) {
			return about(field, "must be a number written in digits; JSON has no NaN or Infinity");
		}
		return new JsonProblem(field, "The body is not valid JSON" + where
				+ ((field != null) ? " (in field '" + field + "')" : ""));
	}

	private static JsonProblem about(@Nullable String field, String sentence) {
		return new JsonProblem(field, ((field != null) ? "Field '" + field + "' " : "The body ") + sentence);
	}

	/**
	 * Where the error is, in the notation the API uses in problems. Errors of binding carry their path; errors of
	 * the parser (a field given twice, NaN) only the parser's position, which already names the field.
	 */
	private static @Nullable String field(JacksonException error) {
		List<String> parts = new ArrayList<>();
		if (!(error instanceof DatabindException) && error.processor() instanceof JsonParser parser) {
			for (TokenStreamContext context = parser.streamReadContext(); context != null
					&& !context.inRoot(); context = context.getParent()) {
				if (context.inArray()) {
					parts.add("[" + Math.max(context.getCurrentIndex(), 0) + "]");
				}
				else if (context.currentName() != null) {
					parts.add(context.currentName());
				}
			}
			Collections.reverse(parts);
		}
		else {
			for (JacksonException.Reference reference : error.getPath()) {
				parts.add((reference.getPropertyName() != null) ? reference.getPropertyName()
						: "[" + reference.getIndex() + "]");
			}
		}
		StringBuilder field = new StringBuilder();
		for (String part : parts) {
			if (!field.isEmpty() && !part.startsWith("[")) {
				field.append('.');
			}
			field.append(part);
		}
		return field.isEmpty() ? null : field.toString();
	}

	private static String expected(@Nullable Class<?> target) {
		if (target == null) {
			return "of another type";
		}
		if (isWholeNumber(target)) {
			return "a whole number";
		}
		if (target == Double.class || target == double.class || target == Float.class || target == float.class
				|| target == BigDecimal.class || Number.class.isAssignableFrom(target)) {
			return "a number";
		}
		if (target == String.class || target == Character.class || target == char.class) {
			return "text (a JSON string)";
		}
		if (target == Boolean.class || target == boolean.class) {
			return "true or false";
		}
		if (target == UUID.class) {
			return "an id (a UUID string such as \"6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b\")";
		}
		if (target == Instant.class) {
			return "a timestamp string such as \"2026-11-22T23:00:00Z\"";
		}
		if (target == LocalDate.class) {
			return "a date string such as \"2026-11-22\"";
		}
		if (target.isArray() || Collection.class.isAssignableFrom(target)) {
			return "a list (a JSON array)";
		}
		if (target.isEnum()) {
			return "one of " + java.util.Arrays.stream(target.getEnumConstants())
				.map((constant) -> String.valueOf(constant).toLowerCase(Locale.ROOT))
				.collect(Collectors.joining(", "));
		}
		return "an object";
	}

	private static boolean isWholeNumber(@Nullable Class<?> target) {
		return target == Integer.class || target == int.class || target == Long.class || target == long.class
				|| target == Short.class || target == short.class || target == BigInteger.class;
	}

	private static String range(@Nullable Class<?> target) {
		if (target == Integer.class || target == int.class) {
			return " (a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ")";
		}
		if (target == Long.class || target == long.class) {
			return " (a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ")";
		}
		return "";
	}

	/** The limit a document broke, without the name of the setting behind it. */
	private static String limit(@Nullable String original) {
		String text = String.valueOf(original).toLowerCase(Locale.ROOT);
		if (text.contains("nesting depth")) {
			return "is nested too deeply";
		}
		if (text.contains("number value length")) {
			return "holds a number with too many digits";
		}
		if (text.contains("string value length")) {
			return "holds a text that is too long";
		}
		if (text.contains("name length")) {
			return "holds a field name that is too long";
		}
		return "is larger than this API reads";
	}

	private static String where(@Nullable TokenStreamLocation location) {
		if (location == null || location.getLineNr() < 1) {
			return "";
		}
		return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
	}

}
