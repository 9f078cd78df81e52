package dev.reelay.provider.openai;

import java.util.Map;

import dev.reelay.provider.ProviderException;

/** Maps Reelay's aspect ratio and resolution onto the contract's {@code WxH} sizes. */
final class OpenAiSizes {

	private static final Map<String, String> SIZES = Map.of(
			"16:9@720p", "1280x720",
			"9:16@720p", "720x1280",
			"16:9@1080p", "1792x1024",
			"9:16@1080p", "1024x1792");

	private OpenAiSizes() {
	}

	static String sizeFor(String aspectRatio, String resolution) {
		String size = SIZES.get(aspectRatio + "@" + resolution);
		if (size == null) {
			throw new ProviderException(ProviderException.Kind.PERMANENT, "unsupported_size",
					"This provider cannot make " + aspectRatio + " video at " + resolution, 0, null, null, null);
		}
		return size;
	}

}
