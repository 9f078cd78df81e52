package dev.reelay.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.reelay.support.StorableText;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Scalars as the API documents them, for request bodies only: every text must be storable (no NUL, no half of a
 * surrogate pair: {@link StorableText}), and a timestamp is an ISO-8601 string, never a number of seconds (which
 * Jackson would otherwise take, and which no client means).
 */
final class StrictScalars {

	private StrictScalars() {
	}

	static SimpleModule module() {
		return new SimpleModule("reelay-strict-scalars").addDeserializer(String.class, new StoredText())
			.addDeserializer(Instant.class, new Timestamp());
	}

	private static final class StoredText extends StdScalarDeserializer<String> {

		StoredText() {
			super(String.class);
		}

		@Override
		public String deserialize(JsonParser parser, DeserializationContext context) {
			String text = StringDeserializer.instance.deserialize(parser, context);
			String problem = (text != null) ? StorableText.problem(text) : null;
			if (problem != null) {
				throw new PlainInputException(parser, problem);
			}
			return text;
		}

	}

	private static final class Timestamp extends StdScalarDeserializer<Instant> {

		private static final String EXAMPLE = "a timestamp string such as \"2026-11-22T23:00:00Z\"";

		Timestamp() {
			super(Instant.class);
		}

		@Override
		public Instant deserialize(JsonParser parser, DeserializationContext context) {
			if (!parser.hasToken(JsonToken.VALUE_STRING)) {
				throw new PlainInputException(parser, "must be " + EXAMPLE);
			}
			try {
				return Instant.parse(parser.getString().strip());
			}
			catch (DateTimeParseException ex) {
				throw new PlainInputException(parser, "must be " + EXAMPLE + " (ISO-8601, UTC or with an offset)");
			}
		}

	}

}
