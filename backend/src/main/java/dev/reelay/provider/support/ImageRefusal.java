package dev.reelay.provider.support;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;

/**
 * The one refusal of a starting image a family does not take as given ({@link FamilyTraits#images}): nothing is
 * sent, and the words say which way the family takes it.
 */
public final class ImageRefusal {

	private ImageRefusal() {
	}

	public static ProviderException of(ProviderHttp http, ImageInput image) {
		if (FamilyTraits.source(image) == FamilyTraits.ImageSource.UPLOAD) {
			return http.permanent("image_upload_unsupported",
					http.provider() + " fetches images itself: send the image as a URL");
		}
		return http.permanent("image_url_unsupported",
				http.provider() + " takes images as uploads only, not as URLs");
	}

}
