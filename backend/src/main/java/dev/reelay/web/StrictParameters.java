package dev.reelay.web;

import java.beans.PropertyEditorSupport;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Numbers and ids in query parameters and paths in ASCII digits only. The JDK's parsers take any Unicode digit
 * ({@code ٢٠} is 20 to {@link Integer#parseInt}, and {@link UUID#fromString} reads them in ids), so a value no client
 * meant as a number would be accepted, and one job would have several spellings. Property editors, because Spring
 * falls back to its default editors (which parse leniently) when a converter refuses a value.
 */
@ControllerAdvice
class StrictParameters {

	private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,19}");

	private static final Pattern ID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	@InitBinder
	void asciiOnly(WebDataBinder binder) {
		binder.registerCustomEditor(int.class, editor(WHOLE_NUMBER, Integer::valueOf));
		binder.registerCustomEditor(Integer.class, editor(WHOLE_NUMBER, Integer::valueOf));
		binder.registerCustomEditor(long.class, editor(WHOLE_NUMBER, Long::valueOf));
		binder.registerCustomEditor(Long.class, editor(WHOLE_NUMBER, Long::valueOf));
		binder.registerCustomEditor(UUID.class, editor(ID, UUID::fromString));
	}

	private static PropertyEditorSupport editor(Pattern form, Function<String, Object> parse) {
		return new PropertyEditorSupport() {

			@Override
			public void setAsText(String text) {
				String trimmed = (text != null) ? text.strip() : "";
				if (trimmed.isEmpty()) {
					setValue(null);
					return;
				}
				if (!form.matcher(trimmed).matches()) {
					throw new IllegalArgumentException("not in the expected form");
				}
				setValue(parse.apply(trimmed));
			}

		};
	}

}
