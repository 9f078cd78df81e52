package dev.reelay.web;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Reads request bodies strictly: a field of the wrong type is an error, not something Jackson quietly converts
 * ({@code "8"} for a number, {@code 8} for a text, {@code 1.5} for a whole number), and so are a field given twice
 * and anything after the JSON value; so are text that cannot be stored, a timestamp given as a number
 * ({@link StrictScalars}) and a body that is not well-formed UTF-8 ({@link StrictUtf8JsonDecoder}). Only the
 * server's decoder: provider adapters keep the lenient shared mapper,
 * as providers are not ours to be strict with. Ordered last so it replaces the decoder Spring Boot sets.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class StrictRequestJson implements WebFluxConfigurer {

	private final JsonMapper strict;

	StrictRequestJson(JsonMapper shared) {
		this.strict = strict(shared);
	}

	/** The shared mapper made strict, as the request decoder uses it. */
	static JsonMapper strict(JsonMapper shared) {
		return shared.rebuild()
			.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
			.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.withCoercionConfig(LogicalType.Textual, (text) -> text.setCoercion(CoercionInputShape.Integer,
					CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			.addModule(StrictScalars.module())
			.build();
	}

	@Override
	public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
		configurer.defaultCodecs().jacksonJsonDecoder(new StrictUtf8JsonDecoder(this.strict));
	}

}
