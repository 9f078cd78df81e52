package dev.reelay;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration reference names every Reelay setting, read from the settings records themselves. */
class ConfigurationReferenceTests {

	// Bound by hand before the context exists, so it carries no @ConfigurationProperties.
	private static final Map<String, String> BOUND_BY_HAND = Map.of("reelay.database.embedded",
			"dev.reelay.database.EmbeddedPostgresSettings");

	@Test
	void theReadmeListsEverySetting() throws Exception {
		Set<String> properties = new TreeSet<>();
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.reelay")) {
			Class<?> settings = ClassUtils.forName(candidate.getBeanClassName(), getClass().getClassLoader());
			ConfigurationProperties annotation = MergedAnnotations.from(settings)
				.get(ConfigurationProperties.class)
				.synthesize();
			String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
			collect(prefix, settings, properties);
		}
		for (Map.Entry<String, String> settings : BOUND_BY_HAND.entrySet()) {
			collect(settings.getKey(), ClassUtils.forName(settings.getValue(), getClass().getClassLoader()), properties);
		}
		assertThat(properties).contains("reelay.dispatch.concurrency", "reelay.providers.instances.<name>.api-key",
				"reelay.catalog.models[].remote-model", "reelay.database.embedded.data-dir");

		String readme = readme();
		List<String> missing = new ArrayList<>();
		properties.stream().filter((property) -> !documented(property, readme)).forEach(missing::add);
		assertThat(missing).as("settings missing from the README's configuration table").isEmpty();
	}

	/**
	 * Named in full, or, for a field of a list or map element ({@code reelay.catalog.models[].remote-model}), the
	 * element is named and the field appears as {@code `remote-model`} or as a key in an example
	 * ({@code remote-model:}).
	 */
	private static boolean documented(String property, String readme) {
		if (readme.contains("`" + property + "`")) {
			return true;
		}
		int element = Math.max(property.lastIndexOf("[]."), property.lastIndexOf(">."));
		if (element < 0) {
			return false;
		}
		int fieldStart = property.indexOf('.', element) + 1;
		String prefix = property.substring(0, fieldStart - 1);
		String field = property.substring(fieldStart);
		String leaf = field.substring(field.lastIndexOf('.') + 1);
		return readme.contains("`" + prefix) && (readme.contains("`" + field + "`") || readme.contains("`" + leaf + "`")
				|| readme.contains(leaf + ":"));
	}

	private static String readme() throws IOException {
		// Tests run in backend/; the README sits at the repository root.
		return Files.readString(Path.of("..", "README.md"));
	}

	/** Record components as property names; nested records, maps of records and lists of records are walked. */
	private static void collect(String prefix, Class<?> type, Collection<String> into) {
		for (RecordComponent component : type.getRecordComponents()) {
			String name = prefix + "." + kebab(component.getName());
			Class<?> raw = component.getType();
			Type generic = component.getGenericType();
			if (isSettings(raw)) {
				collect(name, raw, into);
			}
			else if (Map.class.isAssignableFrom(raw) && isSettings(typeArgument(generic, 1))) {
				// Keys are instance names, except under "models" where they are model ids.
				collect(name + (component.getName().equals("models") ? ".<model>" : ".<name>"),
						typeArgument(generic, 1), into);
			}
			else if (Collection.class.isAssignableFrom(raw) && isSettings(typeArgument(generic, 0))) {
				collect(name + "[]", typeArgument(generic, 0), into);
			}
			else {
				into.add(name);
			}
		}
	}

	private static boolean isSettings(Class<?> type) {
		return type.isRecord() && type.getPackageName().startsWith("dev.reelay");
	}

	private static Class<?> typeArgument(Type generic, int index) {
		if (generic instanceof ParameterizedType parameterized
				&& parameterized.getActualTypeArguments()[index] instanceof Class<?> argument) {
			return argument;
		}
		return Object.class;
	}

	private static String kebab(String camel) {
		return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

}
