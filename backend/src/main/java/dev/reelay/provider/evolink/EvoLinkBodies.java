package dev.reelay.provider.evolink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;

/**
 * EvoLink's create bodies (docs/providers/evolink.md, "Create bodies"). One endpoint takes every model, but only
 * {@code model} and {@code prompt} are shared: the other fields follow the upstream family, so Reelay's normalized
 * parameters are mapped per family and what a family does not take is left out rather than sent to be refused.
 */
final class EvoLinkBodies {

	/** The upstream families whose bodies the contract writes down, and one for the rest. */
	enum Shape {

		/** Seedance (ByteDance): duration, quality, aspect_ratio, image_urls as first (and last) frame. */
		SEEDANCE,
		/** Veo 3.1 preview ids: as Seedance, plus generation_type, seed and negative_prompt. */
		VEO,
		/** EvoLink's short Veo ids ({@code veo3.1-fast}): prompt, aspect_ratio and image_urls only. */
		VEO_SHORT,
		/** Kling: duration, aspect_ratio, quality; sound stays at its default (off). */
		KLING,
		/** Hailuo (MiniMax): duration and quality, no aspect ratio; one image makes it image to video. */
		HAILUO,
		/** Sora through EvoLink: aspect_ratio and duration. */
		SORA,
		/**
		 * A model whose body the contract does not write down (Wan, Grok Imagine, new ones): the fields most
		 * families take, so an operator's catalog entry for it has a fair chance.
		 */
		OTHER

	}

	private EvoLinkBodies() {
	}

	static Shape shapeOf(String model) {
		if (model.startsWith("seedance-") || model.startsWith("doubao-seedance-")) {
			return Shape.SEEDANCE;
		}
		if (model.startsWith("veo-3")) {
			return Shape.VEO;
		}
		if (model.startsWith("veo3")) {
			return Shape.VEO_SHORT;
		}
		if (model.startsWith("kling-")) {
			return Shape.KLING;
		}
		if (model.startsWith("MiniMax-Hailuo")) {
			return Shape.HAILUO;
		}
		if (model.startsWith("sora-")) {
			return Shape.SORA;
		}
		return Shape.OTHER;
	}

	/** The body for {@code request}; its image, if any, is a URL EvoLink fetches (uploads are refused before). */
	static Map<String, Object> of(GenerationRequest request) {
		Shape shape = shapeOf(request.remoteModel());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model", request.remoteModel());
		body.put("prompt", request.prompt());
		if (shape != Shape.VEO_SHORT) {
			// An integer everywhere EvoLink documents it.
			body.put("duration", request.durationSeconds());
		}
		if (shape != Shape.HAILUO) {
			body.put("aspect_ratio", request.aspectRatio());
		}
		if (shape != Shape.VEO_SHORT && shape != Shape.SORA) {
			body.put("quality", request.resolution());
		}
		String image = (request.image() instanceof ImageInput.Url url) ? url.url() : null;
		if (image != null) {
			body.put("image_urls", List.of(image));
		}
		if (shape == Shape.VEO) {
			body.put("generation_type", (image != null) ? "FIRST&LAST" : "TEXT");
			if (request.seed() != null) {
				body.put("seed", request.seed());
			}
			if (request.negativePrompt() != null) {
				body.put("negative_prompt", request.negativePrompt());
			}
		}
		return body;
	}

}
