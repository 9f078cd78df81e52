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
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration reference ({@code docs/configuration.md}) names every Reelay setting, read from the settings
 * records themselves.
 */
class ConfigurationReferenceTests {

	// Bound by hand before the context exists, so it carries no @ConfigurationProperties.
	private static final Map<String, String> BOUND_BY_HAND = Map.of("reelay.database.embedded",
			"dev.reelay.database.EmbeddedPostgresSettings");

	// <name>, <instance>, <model>: any map key.
	private static final Pattern PLACEHOLDER = Pattern.compile("<[a-z]+>");

	@Test
	void theConfigurationReferenceListsEverySetting() throws Exception {
		List<Setting> settings = new ArrayList<>();
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.reelay")) {
			Class<?> type = ClassUtils.forName(candidate.getBeanClassName(), getClass().getClassLoader());
			ConfigurationProperties annotation = MergedAnnotations.from(type)
				.get(ConfigurationProperties.class)
				.synthesize();
			String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
			collect(prefix, type, null, null, settings);
		}
		for (Map.Entry<String, String> bound : BOUND_BY_HAND.entrySet()) {
			collect(bound.getKey(), ClassUtils.forName(bound.getValue(), getClass().getClassLoader()), null, null,
					settings);
		}
		assertThat(settings).extracting(Setting::name)
			.contains("reelay.dispatch.concurrency", "reelay.providers.instances.<>.api-key",
					"reelay.catalog.models[].remote-model", "reelay.database.embedded.data-dir",
					"reelay.dispatch.limits.<>.submits.count");

		String reference = PLACEHOLDER.matcher(reference()).replaceAll("<>");
		List<String> missing = settings.stream()
			.filter((setting) -> !setting.documentedIn(reference))
			.map(Setting::name)
			.toList();
		assertThat(missing).as("settings missing from docs/configuration.md").isEmpty();
	}

	private static String reference() throws IOException {
		// Tests run in backend/; docs/ sits at the repository root.
		return Files.readString(Path.of("..", "docs", "configuration.md"));
	}

	/**
	 * Record components as property names; nested records, maps of records and lists of records are walked.
	 * {@code group} is the nearest record-valued setting above (documented as one, e.g. {@code submits} as
	 * {@code {count, per}}); {@code element} the nearest list or map element ({@code models[]}, {@code <>}).
	 */
	private static void collect(String prefix, Class<?> type, @Nullable String group, @Nullable String element,
			Collection<Setting> into) {
		for (RecordComponent component : type.getRecordComponents()) {
			String name = prefix + "." + kebab(component.getName());
			Class<?> raw = component.getType();
			Type generic = component.getGenericType();
			if (isSettings(raw)) {
				collect(name, raw, (group != null) ? group : name, element, into);
			}
			else if (Map.class.isAssignableFrom(raw) && isSettings(typeArgument(generic, 1))) {
				collect(name + ".<>", typeArgument(generic, 1), null, name + ".<>", into);
			}
			else if (Collection.class.isAssignableFrom(raw) && isSettings(typeArgument(generic, 0))) {
				collect(name + "[]", typeArgument(generic, 0), null, name + "[]", into);
			}
			else {
				into.add(new Setting(name, group, element));
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

	/** One setting, and what may document it for it. */
	private record Setting(String name, @Nullable String group, @Nullable String element) {

		/**
		 * Named in full; or the record-valued setting it belongs to is; or, inside a list or map element, the
		 * element is named and the field appears as {@code `field`} or as a key in an example ({@code field:}).
		 */
		boolean documentedIn(String reference) {
			if (reference.contains("`" + this.name + "`") || (this.group != null && reference.contains("`" + this.group + "`"))) {
				return true;
			}
			if (this.element == null || !reference.contains("`" + this.element)) {
				return false;
			}
			String field = this.name.substring(this.element.length() + 1);
			String first = field.split("\\.")[0];
			String leaf = field.substring(field.lastIndexOf('.') + 1);
			return reference.contains("`" + field + "`") || reference.contains("`" + first + "`")
					|| reference.contains("`" + leaf + "`") || reference.contains(leaf + ":");
		}

	}

}
