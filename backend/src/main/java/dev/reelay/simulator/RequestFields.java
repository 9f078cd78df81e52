package dev.reelay.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebInputException;

/**
 * The top-level parameters of a JSON or multipart request body, reduced to what validation needs: each
 * value's JSON kind (for upstream's "but got an integer instead" messages) and its text when it is a string.
 * Both encodings go through the same checks, as they do upstream.
 */
final class RequestFields {

	static final String PARSE_ERROR = "We could not parse the JSON body of your request. (HINT: This likely means "
			+ "you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
			+ "was not valid JSON.)";

	/**
	 * Upstream accepts an {@code image_url} data URL of up to 20 MiB characters, far above the codecs' default
	 * in-memory limit, so JSON bodies are joined here with their own cap instead of through the JSON decoder.
	 */
	static final int MAX_JSON_BYTES = 24 * 1024 * 1024;

	private final Map<String, Field> fields;

	private RequestFields(Map<String, Field> fields) {
		this.fields = fields;
	}

	static Mono<RequestFields> read(ServerRequest request, Set<String> known) {
		MediaType type = request.headers().contentType().orElse(null);
		Mono<RequestFields> fields;
		if (type != null && MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type)) {
			fields = request.multipartData()
				.map(RequestFields::fromParts)
				.onErrorMap(RequestFields::unreadable, (ex) -> ApiError.badRequest(
						"We could not parse the multipart/form-data body of your request.", null, null));
		}
		else if (type != null && (MediaType.APPLICATION_JSON.isCompatibleWith(type)
				|| type.getSubtype().endsWith("+json"))) {
			fields = DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), MAX_JSON_BYTES)
				.onErrorMap(DataBufferLimitException.class, (ex) -> ApiError.badRequest(
						"The request body is larger than " + MAX_JSON_BYTES + " bytes.", null, null))
				.map(RequestFields::parseJson)
				.switchIfEmpty(Mono.error(() -> ApiError.badRequest(PARSE_ERROR, null, null)))
				.map(RequestFields::fromJson);
		}
		else {
			fields = Mono.error(ApiError.badRequest("Invalid Content-Type header (" + type
					+ "), expected multipart/form-data or application/json.", null, null));
		}
		return fields.doOnNext((read) -> read.rejectUnknown(known));
	}

	private static JsonNode parseJson(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		JsonNode body;
		try {
			body = JsonMapper.shared().readTree(bytes);
		}
		catch (JacksonException ex) {
			throw ApiError.badRequest(PARSE_ERROR, null, null);
		}
		if (body == null || body.isMissingNode()) {
			throw ApiError.badRequest(PARSE_ERROR, null, null);
		}
		return body;
	}

	private static boolean unreadable(Throwable ex) {
		return ex instanceof CodecException || ex instanceof ServerWebInputException;
	}

	private static RequestFields fromJson(JsonNode body) {
		if (!body.isObject()) {
			throw ApiError.badRequest("Invalid type for body: expected an object, but got " + kind(body)
					+ " instead.", null, null);
		}
		return new RequestFields(members(body));
	}

	private static Map<String, Field> members(JsonNode object) {
		Map<String, Field> members = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> member : object.properties()) {
			JsonNode value = member.getValue();
			members.put(member.getKey(), value.isObject() ? Field.object(members(value))
					: new Field(kind(value), value.isString() ? value.stringValue() : null, Map.of()));
		}
		return members;
	}

	private static String kind(JsonNode node) {
		if (node.isString()) {
			return "a string";
		}
		if (node.isIntegralNumber()) {
			return "an integer";
		}
		if (node.isNumber()) {
			return "a decimal";
		}
		if (node.isBoolean()) {
			return "a boolean";
		}
		if (node.isObject()) {
			return "an object";
		}
		if (node.isArray()) {
			return "an array";
		}
		return "null";
	}

	private static RequestFields fromParts(MultiValueMap<String, Part> parts) {
		Map<String, Field> fields = new LinkedHashMap<>();
		parts.forEach((name, values) -> {
			Part part = values.get(0);
			Field field = (part instanceof FormFieldPart form) ? Field.text(form.value()) : Field.FILE;
			int bracket = name.indexOf('[');
			if (bracket > 0 && name.endsWith("]")) {
				// Form encoders spell nested objects as input_reference[image_url]=...
				String parent = name.substring(0, bracket);
				String member = name.substring(bracket + 1, name.length() - 1);
				Field object = fields.computeIfAbsent(parent, (key) -> Field.object(new LinkedHashMap<>()));
				if (object.isObject()) {
					object.members().put(member, field);
				}
			}
			else {
				fields.put(name, field);
			}
		});
		return new RequestFields(fields);
	}

	private void rejectUnknown(Set<String> known) {
		for (String name : this.fields.keySet()) {
			if (!known.contains(name)) {
				throw ApiError.badRequest("Unknown parameter: '" + name + "'.", name, "unknown_parameter");
			}
		}
	}

	/** The field, or {@code null} when it is absent or JSON null (upstream treats both as "use the default"). */
	@Nullable Field get(String name) {
		Field field = this.fields.get(name);
		return (field == null || field.isNull()) ? null : field;
	}

	boolean isExplicitNull(String name) {
		Field field = this.fields.get(name);
		return field != null && field.isNull();
	}

	/** A string parameter; any other kind fails with upstream's invalid-type message. */
	@Nullable String string(String name, String expected) {
		Field field = get(name);
		if (field == null) {
			return null;
		}
		if (field.text() == null) {
			throw ApiError.invalidType(name, expected, field.kind());
		}
		return field.text();
	}

	/** A string parameter restricted to an enum, defaulting when absent. */
	String oneOf(String name, List<String> allowed, String fallback) {
		String value = string(name, "one of " + ApiError.quoted(allowed, "or"));
		if (value == null) {
			return fallback;
		}
		if (!allowed.contains(value)) {
			throw ApiError.invalidValue(name, value, allowed);
		}
		return value;
	}

	record Field(String kind, @Nullable String text, Map<String, Field> members) {

		static final Field FILE = new Field("a file", null, Map.of());

		static Field object(Map<String, Field> members) {
			return new Field("an object", null, members);
		}

		static Field text(String value) {
			return new Field("a string", value, Map.of());
		}

		boolean isNull() {
			return "null".equals(this.kind);
		}

		boolean isObject() {
			return "an object".equals(this.kind);
		}

		boolean isFile() {
			return this == FILE;
		}

	}

}
