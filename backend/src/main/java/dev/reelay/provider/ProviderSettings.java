package dev.reelay.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.modulith.NamedInterface;

/**
 * Named provider instances. Several instances may share a family (OpenAI itself and OpenAI-compatible resellers);
 * keys come from the environment, e.g. {@code REELAY_PROVIDERS_INSTANCES_OPENAI_API_KEY}.
 */
@NamedInterface("view")
@ConfigurationProperties("reelay.providers")
public record ProviderSettings(@DefaultValue Map<String, Instance> instances) {

	/**
	 * One configured provider. A blank {@code baseUrl} on the {@code openai-videos} family means this Reelay's own
	 * simulator. {@code webhookSecrets} holds every secret currently valid (several while one is rotated);
	 * {@code options} carries family-specific settings, listed in docs/configuration.md.
	 */
	public record Instance(String family, @Nullable String baseUrl, @Nullable String apiKey,
			@DefaultValue("true") boolean enabled, @DefaultValue("60s") Duration timeout,
			@DefaultValue("2s") Duration pollInterval, @DefaultValue List<String> webhookSecrets,
			@DefaultValue Map<String, String> options) {

		/** Blank entries dropped: an unset environment variable binds as one empty secret. */
		@Override
		public List<String> webhookSecrets() {
			return this.webhookSecrets.stream().filter((secret) -> !secret.isBlank()).map(String::strip).toList();
		}

		/** Enabled and holding a key: models served by an instance without a key show as disabled. */
		public boolean usable() {
			return this.enabled && this.apiKey != null && !this.apiKey.isBlank();
		}

		/** The configured base URL, else the family's public one; without trailing slashes, as paths are appended. */
		public String baseUrlOr(String fallback) {
			String url = (this.baseUrl != null && !this.baseUrl.isBlank()) ? this.baseUrl : fallback;
			return url.replaceAll("/+$", "");
		}

		/** The same instance with another key, e.g. the one the built-in simulator's placeholder stands for. */
		public Instance withApiKey(String key) {
			return new Instance(this.family, this.baseUrl, key, this.enabled, this.timeout, this.pollInterval,
					this.webhookSecrets, this.options);
		}

		public String option(String name, String fallback) {
			String value = this.options.get(name);
			return (value != null && !value.isBlank()) ? value : fallback;
		}

		@Override
		public String toString() {
			// Never print the key or the webhook secrets.
			return "Instance[family=" + this.family + ", baseUrl=" + this.baseUrl + ", enabled=" + this.enabled
					+ ", options=" + this.options + "]";
		}

	}

}
