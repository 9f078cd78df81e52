package dev.reelay.provider.gemini;

import java.util.Locale;

import dev.reelay.provider.ProviderSettings;
import org.jspecify.annotations.Nullable;

/**
 * The instance options of this family. Each stands for a fact the contract could not confirm, so an operator can
 * follow Google without a release (docs/providers.md, gemini-interactions).
 */
record GeminiOptions(String delivery, @Nullable String apiRevision, boolean sendSeed, @Nullable String webhookUrl,
		boolean retryPoll400, boolean checkFileState) {

	static GeminiOptions of(ProviderSettings.Instance settings) {
		String delivery = settings.option("delivery", "uri").toLowerCase(Locale.ROOT);
		if (!delivery.equals("uri") && !delivery.equals("inline")) {
			throw new IllegalStateException("options.delivery of a gemini-interactions instance is 'uri' or 'inline', not '"
					+ delivery + "'");
		}
		return new GeminiOptions(delivery, blankToNull(settings.option("api-revision", "")),
				Boolean.parseBoolean(settings.option("send-seed", "false")),
				blankToNull(settings.option("webhook-url", "")),
				Boolean.parseBoolean(settings.option("retry-poll-400", "true")),
				Boolean.parseBoolean(settings.option("check-file-state", "true")));
	}

	private static @Nullable String blankToNull(String value) {
		return value.isBlank() ? null : value.strip();
	}

}
