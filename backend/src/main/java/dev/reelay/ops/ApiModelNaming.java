package dev.reelay.ops;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.core.jackson.ModelResolver;
import org.springdoc.core.providers.ObjectMapperProvider;
import tools.jackson.databind.PropertyNamingStrategy;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * springdoc reads the models with Jackson 2 while the API writes them with Jackson 3, so the document would show
 * {@code remoteId} where clients get {@code remote_id}. This gives springdoc the API mapper's naming strategy.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "springdoc.api-docs.enabled", matchIfMissing = true)
class ApiModelNaming {

	@Bean
	ModelResolver apiModelResolver(ObjectMapperProvider springdoc, JsonMapper api) {
		ObjectMapper mapper = springdoc.jsonMapper().copy();
		jackson2Equivalent(api.serializationConfig().getPropertyNamingStrategy())
			.ifPresent(mapper::setPropertyNamingStrategy);
		return new ModelResolver(mapper);
	}

	/** The Jackson 2 constant of the same name as {@code strategy}, when it is one of the standard ones. */
	static Optional<com.fasterxml.jackson.databind.PropertyNamingStrategy> jackson2Equivalent(
			PropertyNamingStrategy strategy) {
		return Arrays.stream(tools.jackson.databind.PropertyNamingStrategies.class.getFields())
			.filter((field) -> Modifier.isStatic(field.getModifiers()) && valueOf(field, null) == strategy)
			.findFirst()
			.flatMap((field) -> Arrays.stream(com.fasterxml.jackson.databind.PropertyNamingStrategies.class.getFields())
				.filter((jackson2) -> jackson2.getName().equals(field.getName()))
				.findFirst())
			.map((field) -> (com.fasterxml.jackson.databind.PropertyNamingStrategy) valueOf(field, null));
	}

	private static Object valueOf(Field field, Object target) {
		try {
			return field.get(target);
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

}
