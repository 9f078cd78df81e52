package dev.reelay.openai;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.catalog.ModelSpec;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's {@code WxH} sizes as Reelay's aspect ratio and resolution, and back. OpenAI's four sizes (the 1024/1792
 * ones are its "pro" quality, taken as 1080p) plus the exact 1080p and 4k sizes other models make. The Video
 * object's {@code size} is typed as OpenAI's four values only, so a job is shown as the one of them with its
 * orientation and class (720p and below, or sharper); its exact aspect ratio and resolution ride along as extra
 * fields.
 */
final class VideoSizes {

	record Shape(String aspectRatio, String resolution) {
	}

	private static final Map<String, Shape> SIZES = new LinkedHashMap<>();

	static {
		SIZES.put("720x1280", new Shape("9:16", "720p"));
		SIZES.put("1280x720", new Shape("16:9", "720p"));
		SIZES.put("1024x1792", new Shape("9:16", "1080p"));
		SIZES.put("1792x1024", new Shape("16:9", "1080p"));
		SIZES.put("1080x1920", new Shape("9:16", "1080p"));
		SIZES.put("1920x1080", new Shape("16:9", "1080p"));
		SIZES.put("2160x3840", new Shape("9:16", "4k"));
		SIZES.put("3840x2160", new Shape("16:9", "4k"));
	}

	private VideoSizes() {
	}

	/** The shape {@code size} asks of {@code model}, or a 400 naming the sizes the model makes. */
	static Shape shape(ModelSpec model, String size) {
		Shape shape = SIZES.get(size.strip());
		if (shape == null || !model.aspectRatios().contains(shape.aspectRatio())
				|| !model.resolutions().contains(shape.resolution())) {
			List<String> sizes = sizesOf(model);
			throw OpenAiException.invalid("size", "invalid_size", "Invalid value for 'size': '" + size + "' is not "
					+ ((shape == null) ? "a size Reelay knows" : "a size " + model.id() + " makes") + "; "
					+ model.id() + " supports " + (sizes.isEmpty() ? "no WxH size (only aspect ratios "
							+ model.aspectRatios() + ")" : "'" + String.join("', '", sizes) + "'") + ".");
		}
		return shape;
	}

	static List<String> sizesOf(ModelSpec model) {
		return SIZES.entrySet()
			.stream()
			.filter((size) -> model.aspectRatios().contains(size.getValue().aspectRatio())
					&& model.resolutions().contains(size.getValue().resolution()))
			.map(Map.Entry::getKey)
			.toList();
	}

	/** OpenAI's size for a job made at this aspect ratio and resolution. */
	static String of(String aspectRatio, String resolution) {
		boolean portrait = portrait(aspectRatio);
		boolean sharp = !(resolution.equals("720p") || resolution.equals("480p") || resolution.equals("360p"));
		if (sharp) {
			return portrait ? "1024x1792" : "1792x1024";
		}
		return portrait ? "720x1280" : "1280x720";
	}

	private static boolean portrait(@Nullable String aspectRatio) {
		if (aspectRatio == null) {
			return false;
		}
		String[] sides = aspectRatio.split(":");
		try {
			return sides.length == 2 && Double.parseDouble(sides[0]) < Double.parseDouble(sides[1]);
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

}
