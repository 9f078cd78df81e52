package dev.reelay.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, the way a scraper sees them. */
final class Prometheus {

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private final String text;

	Prometheus(String text) {
		this.text = text;
	}

	/** The value of the first sample named {@code name} whose labels include {@code labels}. */
	OptionalDouble value(String name, Map<String, String> labels) {
		for (String line : this.text.split("\n")) {
			Matcher sample = SAMPLE.matcher(line);
			if (!sample.matches() || !sample.group(1).equals(name)) {
				continue;
			}
			Map<String, String> found = new LinkedHashMap<>();
			if (sample.group(2) != null) {
				Matcher label = LABEL.matcher(sample.group(2));
				while (label.find()) {
					found.put(label.group(1), label.group(2));
				}
			}
			if (found.entrySet().containsAll(labels.entrySet())) {
				return OptionalDouble.of(Double.parseDouble(sample.group(3)));
			}
		}
		return OptionalDouble.empty();
	}

	double require(String name, Map<String, String> labels) {
		return value(name, labels).orElseThrow(() -> new AssertionError(
				"No sample " + name + labels + " in the scrape:\n" + this.text));
	}

	boolean has(String name) {
		return this.text.lines().anyMatch((line) -> line.startsWith(name + "{") || line.startsWith(name + " "));
	}

	@Override
	public String toString() {
		return this.text;
	}

}
