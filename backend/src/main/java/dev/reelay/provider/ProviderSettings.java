package dev.reelay.provider;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Named provider instances. Several instances may share a family (OpenAI itself and OpenAI-compatible resellers);
 * keys come from the environment, e.g. {@code REELAY_PROVIDERS_INSTANCES_OPENAI_API_KEY}.
 */
@ConfigurationProperties("reelay.providers")
public record ProviderSettings(@DefaultValue Map<String, Instance> instances) {

	/**
	 * One configured provider. A blank {@code baseUrl} on the {@code openai-videos} family means this Reelay's own
	 * simulator.
	 */
	public record Instance(String family, @Nullable String baseUrl, @Nullable String apiKey,
			@DefaultValue("true") boolean enabled, @DefaultValue("60s") Duration timeout,
			@DefaultValue("2s") Duration pollInterval) {

		@Override
		public String toString() {
			// Never print the key.
			return "Instance[family=" + this.family + ", baseUrl=" + this.baseUrl + ", enabled=" + this.enabled + "]";
		}

	}

}
