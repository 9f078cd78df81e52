package dev.reelay.support;

/** A request that names a field with a bad value; becomes a 400 problem that says which field. */
public class BadRequestException extends RuntimeException {

	private final String field;

	public BadRequestException(String field, String sentence) {
		super(sentence);
		this.field = field;
	}

	public String field() {
		return this.field;
	}

}
