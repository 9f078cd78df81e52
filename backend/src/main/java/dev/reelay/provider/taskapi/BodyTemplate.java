package dev.reelay.provider.taskapi;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON body with {@code {{placeholders}}} in its strings. A string that is one placeholder becomes the value itself
 * (a number stays a number, unless {@code |string}); placeholders inside a longer string are spliced in as text.
 * What a request does not have is left out, not sent empty: the field whose placeholder has no value, the whole
 * array element around it (an image item without an image), and an object or array emptied by that.
 */
final class BodyTemplate {

	/** The values a template may name; {@link #render} gets them from the request. */
	static final Set<String> VARIABLES = Set.of("prompt", "model", "duration", "ratio", "resolution", "seed",
			"negative_prompt", "image", "image_url", "image_data_uri", "image_base64", "image_url_or_base64",
			"callback_url");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z0-9_]+)\\s*(?:\\|\\s*([a-z]+)\\s*)?}}");

	private static final Set<String> FILTERS = Set.of("string", "upper", "lower");

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private final JsonNode template;

	private BodyTemplate(JsonNode template) {
		this.template = template;
	}

	/** Reads and checks a template: JSON, and every placeholder and filter one Reelay knows. */
	static BodyTemplate parse(String json, String where) {
		JsonNode template;
		try {
			template = JsonMapper.shared().readTree(json);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(where + " is not JSON: " + ex.getMessage());
		}
		check(template, where);
		return new BodyTemplate(template);
	}

	private static void check(JsonNode node, String where) {
		if (node.isString()) {
			if (PLACEHOLDER.matcher(node.stringValue()).replaceAll("").contains("{{")) {
				throw new IllegalStateException(where + " has a {{ that is no placeholder: " + node.stringValue());
			}
			Matcher placeholder = PLACEHOLDER.matcher(node.stringValue());
			while (placeholder.find()) {
				if (!VARIABLES.contains(placeholder.group(1))) {
					throw new IllegalStateException(where + " names {{" + placeholder.group(1)
							+ "}}, which is none of " + VARIABLES.stream().sorted().toList());
				}
				if (placeholder.group(2) != null && !FILTERS.contains(placeholder.group(2))) {
					throw new IllegalStateException(where + " uses filter |" + placeholder.group(2) + "; known: "
							+ FILTERS);
				}
			}
		}
		node.values().forEach((child) -> check(child, where));
	}

	JsonNode render(Map<String, Object> values) {
		JsonNode body = render(this.template, values, false);
		return (body != null) ? body : NODES.objectNode();
	}

	/** Null: leave it out. Strict (inside an array element): any missing value leaves out the whole element. */
	private static @Nullable JsonNode render(JsonNode node, Map<String, Object> values, boolean strict) {
		if (node.isString()) {
			return string(node.stringValue(), values, strict);
		}
		if (node.isObject()) {
			ObjectNode rendered = NODES.objectNode();
			for (Map.Entry<String, JsonNode> field : node.properties()) {
				JsonNode value = render(field.getValue(), values, strict);
				if (value != null) {
					rendered.set(field.getKey(), value);
				}
			}
			return emptied(rendered, node, strict);
		}
		if (node.isArray()) {
			ArrayNode rendered = NODES.arrayNode();
			for (JsonNode element : node) {
				try {
					JsonNode value = render(element, values, true);
					if (value != null) {
						rendered.add(value);
					}
				}
				catch (Missing ignored) {
					// this element needed a value the request does not have
				}
			}
			return emptied(rendered, node, strict);
		}
		return node;
	}

	private static @Nullable JsonNode emptied(JsonNode rendered, JsonNode template, boolean strict) {
		if (rendered.isEmpty() && !template.isEmpty()) {
			if (strict) {
				throw Missing.INSTANCE;
			}
			return null;
		}
		return rendered;
	}

	private static @Nullable JsonNode string(String text, Map<String, Object> values, boolean strict) {
		Matcher whole = PLACEHOLDER.matcher(text);
		if (whole.matches()) {
			Object value = values.get(whole.group(1));
			if (value == null) {
				return missing(strict);
			}
			String filter = whole.group(2);
			if (value instanceof Number number && filter == null) {
				return NODES.numberNode(number.longValue());
			}
			return NODES.stringNode(filtered(value.toString(), filter));
		}
		Matcher part = PLACEHOLDER.matcher(text);
		StringBuilder out = new StringBuilder();
		while (part.find()) {
			Object value = values.get(part.group(1));
			if (value == null) {
				return missing(strict);
			}
			part.appendReplacement(out, Matcher.quoteReplacement(filtered(value.toString(), part.group(2))));
		}
		part.appendTail(out);
		return NODES.stringNode(out.toString());
	}

	private static @Nullable JsonNode missing(boolean strict) {
		if (strict) {
			throw Missing.INSTANCE;
		}
		return null;
	}

	private static String filtered(String value, @Nullable String filter) {
		if (filter == null) {
			return value;
		}
		return switch (filter) {
			case "upper" -> value.toUpperCase(Locale.ROOT);
			case "lower" -> value.toLowerCase(Locale.ROOT);
			default -> value;
		};
	}

	/** Control flow only: thrown through an array element that cannot be made, so it is left out. */
	private static final class Missing extends RuntimeException {

		static final Missing INSTANCE = new Missing();

		private Missing() {
			super(null, null, false, false);
		}

	}

}
