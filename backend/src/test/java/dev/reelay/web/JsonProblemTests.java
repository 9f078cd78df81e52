package dev.reelay.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The one place that turns a JSON decoding error into words ({@link JsonProblem}), for every kind of type mismatch a
 * request body can have, read by the request decoder's own strict mapper: the field by name, what it must be in
 * plain words (the allowed values of an enum), and nothing of the library.
 */
class JsonProblemTests {

	/** What must never reach a client: the library, Java types, its settings and its own phrases. */
	static final String LIBRARY_WORDS = "(?i)jackson|java\\.|coercion|cannot deserialize|type mismatch|\\bclass\\b"
			+ "|exception|\\[Source:|reference chain|MismatchedInput|LogicalType|CoercionConfig";

	private static final JsonMapper STRICT = StrictRequestJson.strict(JsonMapper.builder().build());

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			{"count": "low"}          | count   | Field 'count' must be a whole number
			{"count": true}           | count   | Field 'count' must be a whole number
			{"count": 1.5}            | count   | Field 'count' must be a whole number
			{"count": 99999999999}    | count   | Field 'count' is out of range
			{"big": "many"}           | big     | Field 'big' must be a whole number
			{"enabled": "yes"}        | enabled | Field 'enabled' must be true or false
			{"enabled": 1}            | enabled | Field 'enabled' must be true or false
			{"mode": "medium"}        | mode    | Field 'mode' must be one of fast, slow
			{"mode": 3}               | mode    | Field 'mode' must be one of fast, slow
			{"day": "yesterday"}      | day     | Field 'day' must be a date string such as "2026-11-22"
			{"at": 1767225600}        | at      | Field 'at' must be a timestamp string
			{"at": "tonight"}         | at      | Field 'at' must be a timestamp string
			{"id": "job-1"}           | id      | Field 'id' must be an id (a UUID
			{"id": 7}                 | id      | Field 'id' must be an id (a UUID
			{"amount": "ten"}         | amount  | Field 'amount' must be a number
			{"amount": false}         | amount  | Field 'amount' must be a number
			{"text": 5}               | text    | Field 'text' must be text
			{"text": {"a": 1}}        | text    | Field 'text' must be text
			{"tags": "a"}             | tags    | Field 'tags' must be a list
			{"items": [{"count": "x"}]} | items[0].count | Field 'items[0].count' must be a whole number
			{"colour": "red"}         | colour  | Unknown field 'colour'; accepted fields are:
			""")
	void namesTheFieldAndSaysWhatItMustBeInPlainWords(String json, String field, String detail) {
		JacksonException error = catchThrowableOfType(JacksonException.class, () -> STRICT.readValue(json, Sample.class));
		assertThat(error).as("%s is refused", json).isNotNull();
		JsonProblem problem = JsonProblem.of(error);
		assertThat(problem.field()).isEqualTo(field);
		assertThat(problem.detail()).startsWith(detail).doesNotContainPattern(LIBRARY_WORDS);
	}

	enum Mode {

		FAST, SLOW

	}

	record Sample(Integer count, Long big, Boolean enabled, Mode mode, LocalDate day, Instant at, UUID id,
			BigDecimal amount, String text, List<String> tags, List<Sample> items) {
	}

}
