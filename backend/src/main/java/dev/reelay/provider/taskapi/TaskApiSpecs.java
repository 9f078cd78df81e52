package dev.reelay.provider.taskapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The task APIs this Reelay knows, by name (the file name without {@code .yaml}): the bundled ones on the classpath
 * under {@code task-apis/}, then the operator's directory, whose files win. Read once; a file that does not bind is
 * a startup error naming the file and the setting, never a failed job later.
 */
final class TaskApiSpecs {

	private final Map<String, TaskApiSpec> specs;

	private TaskApiSpecs(Map<String, TaskApiSpec> specs) {
		this.specs = specs;
	}

	static TaskApiSpecs load(TaskApiSettings settings) {
		Map<String, TaskApiSpec> specs = new LinkedHashMap<>();
		try {
			Resource[] bundled = new PathMatchingResourcePatternResolver().getResources("classpath*:task-apis/*.yaml");
			for (Resource resource : bundled) {
				put(specs, resource);
			}
			if (settings.directory() != null && !settings.directory().isBlank()) {
				Path directory = Path.of(settings.directory());
				if (!Files.isDirectory(directory)) {
					throw new IllegalStateException("reelay.task-apis.directory is " + directory.toAbsolutePath()
							+ ", which is not a directory");
				}
				try (Stream<Path> files = Files.list(directory)) {
					for (Path file : files.filter((path) -> path.toString().endsWith(".yaml")).sorted().toList()) {
						put(specs, new FileSystemResource(file));
					}
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read the task API files", ex);
		}
		return new TaskApiSpecs(Map.copyOf(specs));
	}

	private static void put(Map<String, TaskApiSpec> specs, Resource resource) throws IOException {
		String file = resource.getFilename();
		String name = file.substring(0, file.length() - ".yaml".length());
		specs.put(name, read(name, resource));
	}

	static TaskApiSpec read(String name, Resource resource) throws IOException {
		List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(name, resource);
		if (documents.isEmpty()) {
			throw new IllegalStateException("Task API file " + resource.getDescription() + " is empty");
		}
		try {
			TaskApiSpec spec = new Binder(ConfigurationPropertySources.from(documents.get(0)))
				.bind("task-api", Bindable.of(TaskApiSpec.class))
				.orElseThrow(() -> new IllegalStateException("Task API file " + resource.getDescription()
						+ " has no top-level 'task-api:' section"));
			require(name, "base-url", spec.baseUrl());
			require(name, "auth", spec.auth());
			require(name, "create", spec.create());
			require(name, "create.path", spec.create().path());
			require(name, "create.body", spec.create().body());
			require(name, "create.id", spec.create().id());
			require(name, "status", spec.status());
			require(name, "status.path", spec.status().path());
			require(name, "status.state", spec.status().state());
			require(name, "status.states", spec.status().states());
			require(name, "result", spec.result());
			BodyTemplate.parse(spec.create().body(), name + ": create.body");
			if (spec.imageCreate() != null) {
				BodyTemplate.parse(spec.imageCreate().body(), name + ": image-create.body");
			}
			if (spec.result().url() == null && spec.result().resolve() == null) {
				throw new IllegalStateException("Task API " + name + ": result needs a url path or a resolve call");
			}
			return spec;
		}
		catch (BindException ex) {
			Throwable cause = ex.getCause();
			throw new IllegalStateException("Task API file " + resource.getDescription() + ": setting "
					+ ex.getName() + " could not be read"
					+ ((cause != null) ? " (" + cause.getMessage() + ")" : ""), ex);
		}
	}

	/** Binding leaves a missing setting null; saying which one beats a NullPointerException at the first job. */
	private static void require(String name, String setting, @Nullable Object value) {
		if (value == null || (value instanceof String text && text.isBlank())
				|| (value instanceof Map<?, ?> map && map.isEmpty())) {
			throw new IllegalStateException("Task API " + name + ": " + setting + " is required");
		}
	}

	Optional<TaskApiSpec> get(String name) {
		return Optional.ofNullable(this.specs.get(name));
	}

	List<String> names() {
		return this.specs.keySet().stream().sorted().toList();
	}

	static String[] path(String dotted) {
		return Arrays.stream(dotted.split("\\.")).toArray(String[]::new);
	}

}
