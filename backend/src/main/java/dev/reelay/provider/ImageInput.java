package dev.reelay.provider;

import java.util.Base64;

/** A starting image: either a URL the provider fetches itself, or bytes the client uploaded to Reelay. */
public sealed interface ImageInput {

	record Url(String url) implements ImageInput {
	}

	record Upload(byte[] bytes, String mediaType) implements ImageInput {

		public String base64() {
			return Base64.getEncoder().encodeToString(this.bytes);
		}

		/** For providers that take images inline in JSON as {@code data:} URIs. */
		public String dataUri() {
			return "data:" + this.mediaType + ";base64," + base64();
		}

		public String filename() {
			return "image." + this.mediaType.substring(this.mediaType.indexOf('/') + 1);
		}

	}

}
