package dev.reelay.provider.gemini;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an interaction as it streams in. A finished interaction may carry its video inline, tens of megabytes of
 * base64 in one JSON string; the streaming parser skips a string it is not asked for without buffering it, and
 * decodes one it is asked for straight into an output stream, so neither the status nor the download ever holds the
 * video in memory.
 */
final class InteractionBodies {

	/** What stands in the skeleton for an inline {@code data} string that was skipped unread. */
	static final String INLINE = "<inline>";

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private InteractionBodies() {
	}

	/** The interaction as a tree, each {@code data} string replaced by {@link #INLINE}; missing when not an object. */
	static JsonNode skeleton(InputStream body) {
		try (JsonParser parser = JSON.createParser(body)) {
			JsonToken first = parser.nextToken();
			if (first != JsonToken.START_OBJECT) {
				return JSON.missingNode();
			}
			return value(parser, null);
		}
	}

	private static JsonNode value(JsonParser parser, @Nullable String name) {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.START_OBJECT) {
			ObjectNode object = NODES.objectNode();
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				parser.nextToken();
				object.set(field, value(parser, field));
			}
			return object;
		}
		if (token == JsonToken.START_ARRAY) {
			ArrayNode array = NODES.arrayNode();
			while (parser.nextToken() != JsonToken.END_ARRAY) {
				array.add(value(parser, null));
			}
			return array;
		}
		if (token == JsonToken.VALUE_STRING && "data".equals(name)) {
			// Not read: the parser skips it when asked for the next token.
			return NODES.stringNode(INLINE);
		}
		return switch (token) {
			case VALUE_STRING -> NODES.stringNode(parser.getString());
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
			case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
			default -> NODES.nullNode();
		};
	}

	/**
	 * Decodes the base64 string at {@code path} (field names and array indexes, ending with {@code data}) into
	 * {@code out}; false when the body has nothing there.
	 */
	static boolean decode(InputStream body, List<String> path, OutputStream out) {
		try (JsonParser parser = JSON.createParser(body)) {
			parser.nextToken();
			return descend(parser, path, 0, out);
		}
	}

	private static boolean descend(JsonParser parser, List<String> path, int depth, OutputStream out) {
		JsonToken token = parser.currentToken();
		if (depth == path.size()) {
			if (token != JsonToken.VALUE_STRING) {
				return false;
			}
			parser.readBinaryValue(out);
			return true;
		}
		String step = path.get(depth);
		if (token == JsonToken.START_OBJECT) {
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				parser.nextToken();
				if (field.equals(step)) {
					return descend(parser, path, depth + 1, out);
				}
				parser.skipChildren();
			}
		}
		else if (token == JsonToken.START_ARRAY) {
			int index = 0;
			while (parser.nextToken() != JsonToken.END_ARRAY) {
				if (Integer.toString(index).equals(step)) {
					return descend(parser, path, depth + 1, out);
				}
				parser.skipChildren();
				index++;
			}
		}
		return false;
	}

}
