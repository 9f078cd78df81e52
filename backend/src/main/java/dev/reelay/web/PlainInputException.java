package dev.reelay.web;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * A value this API's own deserializers refuse, with a sentence that completes "Field 'x' ..." in plain words;
 * Jackson adds the path to the field as the error passes up.
 */
final class PlainInputException extends MismatchedInputException {

	private static final long serialVersionUID = 1L;

	PlainInputException(JsonParser parser, String sentence) {
		super(parser, sentence);
	}

}
