package dev.reelay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link in the README and in {@code docs/} leads to a file that exists and, when it names a section
 * ({@code file.md#section}), to a heading of that file, as GitHub makes anchors from headings. Text moves between
 * the docs files; a link left behind fails here.
 */
class DocumentationLinksTests {

	// Tests run in backend/; the README and docs/ sit at the repository root.
	private static final Path ROOT = Path.of("..");

	private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

	@Test
	void relativeLinksLeadToFilesAndHeadings() throws IOException {
		List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
		try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
			docs.filter((file) -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		List<String> broken = new ArrayList<>();
		for (Path page : pages) {
			Matcher link = LINK.matcher(withoutCode(Files.readString(page)));
			while (link.find()) {
				String target = link.group(1);
				if (target.matches("^[a-z]+:.*")) {
					continue;
				}
				int hash = target.indexOf('#');
				Path file = (hash == 0) ? page : page.getParent().resolve((hash < 0) ? target : target.substring(0, hash));
				if (!Files.exists(file)) {
					broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
				}
				else if (hash >= 0 && !anchors(file).contains(target.substring(hash + 1))) {
					broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(pages).hasSizeGreaterThan(5);
		assertThat(broken).as("broken links in the README and docs/").isEmpty();
	}

	/** GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
	private static Set<String> anchors(Path file) throws IOException {
		Set<String> anchors = new HashSet<>();
		for (String line : withoutCode(Files.readString(file)).split("\n")) {
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				String base = heading.group(1)
					.strip()
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
					.replace(' ', '-');
				String anchor = base;
				for (int n = 1; !anchors.add(anchor); n++) {
					anchor = base + "-" + n;
				}
			}
		}
		return anchors;
	}

	/** Fenced code blocks hold shell comments and example text, not headings or links. */
	private static String withoutCode(String markdown) {
		StringBuilder out = new StringBuilder();
		boolean code = false;
		for (String line : markdown.split("\n")) {
			if (line.startsWith("```")) {
				code = !code;
			}
			else if (!code) {
				out.append(line).append('\n');
			}
		}
		return out.toString();
	}

}
