package dev.reelay.support;

import org.jspecify.annotations.Nullable;

/**
 * What text from a client may hold to be stored: PostgreSQL refuses a NUL in {@code text} (the insert would fail
 * with a 500), and a UTF-16 surrogate without its pair is not a character at all (the driver would store it as
 * {@code ?}). Checked where requests are read, so such text is a 400 naming its field, never half-stored.
 */
public final class StorableText {

	private StorableText() {
	}

	/** Why {@code value} cannot be stored, completing "Field 'x' ...", or null when it can. */
	public static @Nullable String problem(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == 0) {
				return "contains a NUL character (U+0000) at position " + i + ", which text may not hold";
			}
			if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return "contains half of a surrogate pair (U+" + String.format("%04X", (int) c) + ") at position " + i
						+ ", which is not a character";
			}
		}
		return null;
	}

}
