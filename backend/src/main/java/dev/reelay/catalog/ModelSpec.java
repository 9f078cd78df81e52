package dev.reelay.catalog;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One model as clients see it: the id they send, the provider instance and remote name it is routed to (another
 * remote name when it starts from an image, as some providers split the two), what it can do, what it costs, and
 * when it was retired. {@code replacedBy} names the catalog model to use instead once it is retired;
 * {@code liveRemoteModel} is a current id the operator names for a model its provider retired under the old one
 * (Google shut the Gemini API's Veo ids without naming successors): set, the model is live again under that id.
 */
public record ModelSpec(String id, String displayName, String provider, String remoteModel,
		@Nullable String imageRemoteModel, List<Integer> durations, List<String> aspectRatios,
		List<String> resolutions, @DefaultValue Map<String, List<Integer>> durationsByResolution,
		@DefaultValue List<ImageInputKind> imageInputs, @DefaultValue("false") boolean imageRequired,
		@DefaultValue("false") boolean remix, @DefaultValue("false") boolean audio,
		@DefaultValue("2000") int maxPromptLength, @Nullable Price price, @Nullable LocalDate retiredOn,
		@Nullable String notes, @Nullable String replacedBy, @Nullable String liveRemoteModel) {

	/** Bound from the catalog's YAML; the shorter constructor below is for code that predates the last two fields. */
	@ConstructorBinding
	public ModelSpec {
	}

	public ModelSpec(String id, String displayName, String provider, String remoteModel,
			@Nullable String imageRemoteModel, List<Integer> durations, List<String> aspectRatios,
			List<String> resolutions, Map<String, List<Integer>> durationsByResolution,
			List<ImageInputKind> imageInputs, boolean imageRequired, boolean remix, boolean audio, int maxPromptLength,
			@Nullable Price price, @Nullable LocalDate retiredOn, @Nullable String notes) {
		this(id, displayName, provider, remoteModel, imageRemoteModel, durations, aspectRatios, resolutions,
				durationsByResolution, imageInputs, imageRequired, remix, audio, maxPromptLength, price, retiredOn, notes,
				null, null);
	}

	public boolean isRetired(LocalDate today) {
		return this.retiredOn != null && !today.isBefore(this.retiredOn) && !hasLiveRemoteModel();
	}

	private boolean hasLiveRemoteModel() {
		return this.liveRemoteModel != null && !this.liveRemoteModel.isBlank();
	}

	/** The remote model to ask for, which may differ when the job starts from an image. */
	public String remoteModelFor(boolean withImage) {
		if (hasLiveRemoteModel()) {
			return this.liveRemoteModel.strip();
		}
		return (withImage && this.imageRemoteModel != null) ? this.imageRemoteModel : this.remoteModel;
	}

	/** The durations allowed at a resolution: some models make long or sharp clips, not both. */
	public List<Integer> durationsAt(String resolution) {
		return this.durationsByResolution.getOrDefault(resolution, this.durations);
	}

	/** How a model takes a starting image: uploaded to Reelay, or as a URL the provider fetches. */
	public enum ImageInputKind {

		UPLOAD, URL

	}

	/**
	 * List price: per second of video by resolution, or per clip. Indicative only; the provider's bill is the truth.
	 */
	public record Price(@DefaultValue("USD") String currency, @DefaultValue Map<String, Double> perSecond,
			@Nullable Double perClip) {
	}

}
