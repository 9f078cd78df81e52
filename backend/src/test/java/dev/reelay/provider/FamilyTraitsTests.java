package dev.reelay.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.reelay.provider.openai.OpenAiVideosFamilyAccess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each family's declared traits are what its adapter does: an image of a kind the family does not take is refused
 * before anything is sent, one it takes gets past that check, and a family that says it can find a lost create
 * says so to the dispatcher too.
 */
class FamilyTraitsTests {

	static Stream<ProviderFamily> families() {
		ProviderFamilies declared = new ProviderFamilies();
		return Stream.of(OpenAiVideosFamilyAccess.family(), declared.evolinkFamily(StandIn.webClients()),
				declared.falFamily(StandIn.webClients()), declared.geminiInteractionsFamily(StandIn.webClients()),
				declared.googleVeoFamily(StandIn.webClients()), declared.kieFamily(StandIn.webClients()),
				declared.runwayFamily(StandIn.webClients()));
	}

	@ParameterizedTest
	@MethodSource("families")
	void theAdapterTakesTheImagesTheTraitsSayAndRefusesTheRestUnsent(ProviderFamily family) {
		// Nothing listens here: an image that passes the family's check fails on the connection instead.
		ProviderSettings.Instance settings = StandIn.settings(family.name(), StandIn.deadUrl(), List.of(), Map.of(),
				Duration.ofSeconds(2));
		VideoProvider adapter = family.create("traits", settings);
		FamilyTraits traits = family.traits("traits", settings);
		for (ImageInput image : List.of(new ImageInput.Url("https://images.example/cat.png"),
				new ImageInput.Upload(new byte[] { 1, 2, 3 }, "image/png"))) {
			GenerationRequest request = new GenerationRequest("model-x", "From an image", 5, "16:9", "720p", null, null,
					image, null);
			StepVerifier.create(adapter.submit(request)).expectErrorSatisfies((error) -> {
				ProviderException failed = (ProviderException) error;
				if (traits.takes(image)) {
					assertThat(failed.code()).as("%s takes %s", family.name(), FamilyTraits.source(image))
						.doesNotStartWith("image_");
				}
				else {
					assertThat(failed.code()).as("%s refuses %s", family.name(), FamilyTraits.source(image))
						.startsWith("image_").endsWith("_unsupported");
					assertThat(failed.kind()).isEqualTo(ProviderException.Kind.PERMANENT);
				}
			}).verify(Duration.ofSeconds(30));
		}
		assertThat(adapter.canFindSubmitted()).isEqualTo(traits.findsLostCreates());
	}

}
