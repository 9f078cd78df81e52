package dev.reelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Documentation generated from the code and checked in, so a reader sees it without building. A test compares
 * what the code gives now with what is checked in and fails when they differ; with {@code -Dreelay.docs.write=true}
 * it writes the new text instead (the command is {@link #REGENERATE}).
 */
final class GeneratedDocs {

	static final String REGENERATE = "./mvnw -B -o -pl backend -am verify -Dtest=ArchitectureDocsTests "
			+ "-Dsurefire.failIfNoSpecifiedTests=false -Dreelay.docs.write=true";

	// Tests run in backend/; docs/ sits at the repository root.
	static final Path DOCS = Path.of("..", "docs");

	private GeneratedDocs() {
	}

	static boolean writing() {
		return Boolean.getBoolean("reelay.docs.write");
	}

	/**
	 * The text between {@code <!-- generated: name -->} and {@code <!-- end of generated: name -->} in a Markdown
	 * file is {@code content}.
	 */
	static void region(Path file, String name, String content) {
		String begin = "<!-- generated: " + name + " (by " + ArchitectureDocsTests.class.getSimpleName()
				+ ", do not edit) -->\n";
		String end = "<!-- end of generated: " + name + " -->";
		String text = read(file);
		int from = text.indexOf(begin);
		int to = text.indexOf(end);
		assertThat(from).as("%s has no line %s", file, begin.strip()).isNotNegative();
		assertThat(to).as("%s has no line %s after its start", file, end).isGreaterThan(from);
		String current = text.substring(from + begin.length(), to);
		if (writing()) {
			write(file, text.substring(0, from + begin.length()) + content + text.substring(to));
			return;
		}
		assertThat(current).as("%s, section %s, is stale; regenerate it with %s", file, name, REGENERATE)
			.isEqualTo(content);
	}

	/** The files in {@code checkedIn} are exactly those in {@code generated}, with the same text. */
	static void directory(Path generated, Path checkedIn) {
		Map<String, String> fresh = files(generated);
		assertThat(fresh).as("nothing was generated into %s", generated).isNotEmpty();
		if (writing()) {
			try {
				Files.createDirectories(checkedIn);
				for (String stale : files(checkedIn).keySet()) {
					if (!fresh.containsKey(stale)) {
						Files.delete(checkedIn.resolve(stale));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			fresh.forEach((name, content) -> write(checkedIn.resolve(name), content));
			return;
		}
		Map<String, String> present = files(checkedIn);
		List<String> stale = new ArrayList<>();
		fresh.forEach((name, content) -> {
			if (present.get(name) == null || !sameLines(content, present.get(name))) {
				stale.add(name);
			}
		});
		present.keySet().stream().filter((name) -> !fresh.containsKey(name)).forEach(stale::add);
		assertThat(stale).as("stale files in %s; regenerate them with %s", checkedIn, REGENERATE).isEmpty();
	}

	/**
	 * The same lines, in any order: the documenter lists what ArchUnit found in the order it found it, which may
	 * follow the file system's order of class files on another machine.
	 */
	private static boolean sameLines(String one, String other) {
		return one.lines().sorted().toList().equals(other.lines().sorted().toList());
	}

	private static Map<String, String> files(Path directory) {
		Map<String, String> files = new TreeMap<>();
		if (!Files.isDirectory(directory)) {
			return files;
		}
		try (Stream<Path> listing = Files.list(directory)) {
			listing.filter(Files::isRegularFile).forEach((file) -> files.put(file.getFileName().toString(), read(file)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return files;
	}

	private static String read(Path file) {
		try {
			// Line endings as Git may check them out on Windows.
			return Files.readString(file).replace("\r\n", "\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void write(Path file, String content) {
		try {
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
