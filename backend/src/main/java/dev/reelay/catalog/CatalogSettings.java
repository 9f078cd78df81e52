package dev.reelay.catalog;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The model catalog as configured: models are data, so a new model is a configuration change. {@code models}
 * ships in {@code catalog.yaml}; {@code customModels} (from the operator's own file) add models or replace
 * shipped ones with the same id.
 */
@ConfigurationProperties("reelay.catalog")
record CatalogSettings(@Nullable String defaultModel, @DefaultValue List<ModelSpec> models,
		@DefaultValue List<ModelSpec> customModels) {
}
