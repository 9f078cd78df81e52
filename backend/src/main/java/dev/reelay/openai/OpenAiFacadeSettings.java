package dev.reelay.openai;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The OpenAI-compatible surface. {@code modelAliases} routes a model name clients send (OpenAI's {@code sora-2})
 * to a model of the catalog for every tenant; {@code tenantModelAliases} does the same for one tenant (by tenant
 * id) and wins over the global one. {@code retryWindow}: how far back a create the SDK retries without an
 * Idempotency-Key looks for the job its first attempt made (docs/api.md, "Use it from the OpenAI SDKs").
 */
@ConfigurationProperties("reelay.openai")
record OpenAiFacadeSettings(@DefaultValue Map<String, String> modelAliases,
		@DefaultValue Map<UUID, Map<String, String>> tenantModelAliases,
		@DefaultValue("15m") Duration retryWindow) {

	/** The catalog model {@code name} stands for, for {@code tenant}; null when it is no alias. */
	@Nullable String aliasOf(UUID tenant, String name) {
		Map<String, String> own = this.tenantModelAliases.get(tenant);
		if (own != null && own.containsKey(name)) {
			return own.get(name);
		}
		return this.modelAliases.get(name);
	}

}
