package dev.reelay.provider;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.modulith.NamedInterface;

/**
 * What a provider family can do, as data: read by validation, the catalog and budgets (through
 * {@link ProviderInstances}) and by the family's adapters, instead of each asking for the family by name.
 *
 * @param images how the family takes a starting image (none: text only)
 * @param remix whether it can remix a video it made
 * @param cancel whether it can stop a generation it accepted (else the job is canceled here and its result dropped)
 * @param findsLostCreates whether it can list or look up its generations, so a create whose answer was lost can be
 * found instead of being given up on (see {@link VideoProvider#canFindSubmitted})
 * @param failedBilling what a generation that failed after the family accepted it costs
 */
@NamedInterface("view")
public record FamilyTraits(Set<ImageSource> images, boolean remix, boolean cancel, boolean findsLostCreates,
		FailedBilling failedBilling) {

	/** What a family is assumed to do when it says nothing: text only, no cancel, failures billed in full. */
	public static final FamilyTraits PLAIN = new FamilyTraits(Set.of(), false, false, false, FailedBilling.FULL);

	public FamilyTraits {
		images = Set.copyOf(images);
	}

	/** A starting image as a URL the provider fetches, or as bytes uploaded to Reelay and sent inline. */
	public enum ImageSource {

		URL, UPLOAD

	}

	/** The family's documented rule for a generation that failed after it was accepted (README "Cost and budgets"). */
	public enum FailedBilling {

		/** Not charged: EvoLink releases the credits it held, Kie reports {@code consumeCredits} 0. */
		FREE,
		/** Not charged when its safety filters blocked it; other failures are not documented, so billed (Veo). */
		FREE_WHEN_MODERATED,
		/**
		 * Only successful outputs are billed, except an input refused (a content check, a 422) once a runner has spent
		 * GPU time on it (fal).
		 */
		ONLY_REFUSED_INPUT,
		/** Billed as if it had succeeded: Runway documents so for moderated generations, the rest document nothing. */
		FULL

	}

	/** Whether the family takes this starting image as given (no image: always). */
	public boolean takes(@Nullable ImageInput image) {
		return image == null || this.images.contains(source(image));
	}

	public static ImageSource source(ImageInput image) {
		return (image instanceof ImageInput.Url) ? ImageSource.URL : ImageSource.UPLOAD;
	}

}
