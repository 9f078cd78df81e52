package dev.reelay.storage;

import java.util.Locale;
import java.util.Map;

/** File names with an extension that matches what was stored, so a copied-out file opens in the right program. */
final class FileNames {

	private static final Map<String, String> EXTENSIONS = Map.of("video/mp4", ".mp4", "video/webm", ".webm",
			"video/quicktime", ".mov", "image/webp", ".webp", "image/jpeg", ".jpg", "image/png", ".png");

	private FileNames() {
	}

	static String of(String name, String contentType) {
		String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
		return name + EXTENSIONS.getOrDefault(type, ".bin");
	}

}
