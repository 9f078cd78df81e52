package dev.reelay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModuleDependency;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.NamedInterface;
import org.springframework.modulith.docs.Documenter;

import dev.reelay.job.JobStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code docs/architecture.md} and {@code docs/architecture/} show is what the code is: the job lifecycle from
 * {@link JobStatus}'s transitions, the module map and the module diagrams and canvases from Spring Modulith's model
 * of the modules, the package tree from the packages. Each test fails when the checked-in text is stale; one command
 * regenerates everything generated ({@link GeneratedDocs#REGENERATE}).
 */
class ArchitectureDocsTests {

	private static final Path ARCHITECTURE = GeneratedDocs.DOCS.resolve("architecture.md");

	// Each file of sources under backend/src/main/java/dev/reelay/ is a package of the tree.
	private static final Path SOURCES = Path.of("src", "main", "java", "dev", "reelay");

	private static final Pattern TREE_LINE = Pattern.compile("^((?:│   |    )*)[├└]── (\\w+)");

	private static final ApplicationModules MODULES = ApplicationModules.of(ReelayApplication.class);

	@Test
	void jobLifecycleIsJobStatus() {
		GeneratedDocs.region(ARCHITECTURE, "job lifecycle", jobLifecycle());
	}

	@Test
	void moduleMapIsTheModules() {
		GeneratedDocs.region(ARCHITECTURE, "module map", moduleMap());
	}

	@Test
	void moduleDiagramsAndCanvasesAreTheModules() {
		Path generated = Path.of("target", "architecture-docs");
		new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(generated.toString()))
			.writeModulesAsPlantUml()
			.writeIndividualModulesAsPlantUml()
			.writeModuleCanvases();
		GeneratedDocs.directory(generated, GeneratedDocs.DOCS.resolve("architecture"));
	}

	@Test
	void packageTreeNamesEveryPackage() throws IOException {
		Set<String> documented = new TreeSet<>();
		List<String> path = new ArrayList<>();
		boolean inTree = false;
		for (String line : Files.readString(ARCHITECTURE).split("\n")) {
			inTree = inTree ? !line.startsWith("```") : line.equals("dev.reelay");
			Matcher entry = TREE_LINE.matcher(line);
			if (inTree && entry.find()) {
				int depth = entry.group(1).length() / 4;
				path.subList(Math.min(depth, path.size()), path.size()).clear();
				path.add(entry.group(2));
				documented.add(String.join(".", path));
			}
		}
		Set<String> packages;
		try (Stream<Path> files = Files.walk(SOURCES)) {
			packages = files.filter((file) -> file.toString().endsWith(".java"))
				.map((file) -> SOURCES.relativize(file.getParent()).toString().replace('/', '.').replace('\\', '.'))
				.filter((name) -> !name.isEmpty())
				.collect(Collectors.toCollection(TreeSet::new));
		}
		assertThat(documented).as("packages in the tree of %s (add a line for each new package)", ARCHITECTURE)
			.containsExactlyInAnyOrderElementsOf(packages);
	}

	/** A state diagram and a table of the transitions, with the moves every unfinished job may make said once. */
	static String jobLifecycle() {
		List<JobStatus> unfinished = Arrays.stream(JobStatus.values()).filter((status) -> !status.isTerminal()).toList();
		Set<JobStatus> fromAnyUnfinished = EnumSet.allOf(JobStatus.class);
		unfinished.forEach((status) -> fromAnyUnfinished.retainAll(nextOf(status)));
		StringBuilder out = new StringBuilder("```mermaid\nstateDiagram-v2\n");
		// Jobs are created queued.
		out.append("    [*] --> ").append(JobStatus.QUEUED.value()).append('\n');
		for (JobStatus from : JobStatus.values()) {
			for (JobStatus to : nextOf(from)) {
				if (!fromAnyUnfinished.contains(to)) {
					out.append("    ").append(from.value()).append(" --> ").append(to.value()).append('\n');
				}
			}
			if (from.isTerminal()) {
				out.append("    ").append(from.value()).append(" --> [*]\n");
			}
		}
		out.append("```\n\n");
		out.append("Every unfinished status may also go to ").append(words(fromAnyUnfinished)).append(
				"; a status may also change to itself (progress and status-reason updates).\n\n");
		out.append("| Status | May change to (besides itself) | Finished |\n|---|---|---|\n");
		for (JobStatus status : JobStatus.values()) {
			out.append("| `").append(status.value()).append("` | ")
				.append(nextOf(status).isEmpty() ? "nothing" : words(nextOf(status)))
				.append(" | ")
				.append(status.isTerminal() ? "yes" : "no")
				.append(" |\n");
		}
		return out.toString();
	}

	/** Per module: the modules its code uses, what it declares it may use, its named interfaces; and a graph. */
	static String moduleMap() {
		List<ApplicationModule> modules = MODULES.stream().sorted().toList();
		StringBuilder graph = new StringBuilder("```mermaid\nflowchart LR\n");
		StringBuilder table = new StringBuilder(
				"| Module | Uses | Declared `allowedDependencies` | Named interfaces |\n|---|---|---|---|\n");
		for (ApplicationModule module : modules) {
			String name = name(module);
			Set<String> uses = module.getDirectDependencies(MODULES)
				.stream()
				.map(ApplicationModuleDependency::getTargetModule)
				.map(ArchitectureDocsTests::name)
				.filter((target) -> !target.equals(name))
				.collect(Collectors.toCollection(TreeSet::new));
			uses.forEach((target) -> graph.append("    ").append(name).append(" --> ").append(target).append('\n'));
			String allowed = declaredDependencies(module);
			Set<String> named = module.getNamedInterfaces()
				.stream()
				.filter(NamedInterface::isNamed)
				.map(NamedInterface::getName)
				.collect(Collectors.toCollection(TreeSet::new));
			table.append("| `").append(name).append("` | ")
				.append(codes(uses, "nothing"))
				.append(" | ")
				.append(allowed)
				.append(" | ")
				.append(codes(named, "none"))
				.append(" |\n");
		}
		return graph.append("```\n\n").append(table).toString();
	}

	/** As written in the module's {@code package-info.java}: "not declared" lets it use any module's API. */
	private static String declaredDependencies(ApplicationModule module) {
		org.springframework.modulith.ApplicationModule declaration;
		try {
			declaration = Class.forName(module.getBasePackage().getName() + ".package-info")
				.getAnnotation(org.springframework.modulith.ApplicationModule.class);
		}
		catch (ClassNotFoundException ex) {
			declaration = null;
		}
		List<String> declared = (declaration != null) ? List.of(declaration.allowedDependencies()) : List.of();
		if (declaration == null || declared.equals(List.of(org.springframework.modulith.ApplicationModule.OPEN_TOKEN))) {
			return "not declared";
		}
		return codes(new TreeSet<>(declared), "none");
	}

	private static Set<JobStatus> nextOf(JobStatus from) {
		Set<JobStatus> next = EnumSet.noneOf(JobStatus.class);
		for (JobStatus to : JobStatus.values()) {
			if (to != from && from.canTransitionTo(to)) {
				next.add(to);
			}
		}
		return next;
	}

	private static String words(Set<JobStatus> statuses) {
		return statuses.stream().map((status) -> "`" + status.value() + "`").collect(Collectors.joining(", "));
	}

	private static String codes(Set<String> names, String none) {
		return names.isEmpty() ? none : names.stream().map((name) -> "`" + name + "`").collect(Collectors.joining(", "));
	}

	private static String name(ApplicationModule module) {
		return module.getIdentifier().toString().toLowerCase(Locale.ROOT);
	}

}
