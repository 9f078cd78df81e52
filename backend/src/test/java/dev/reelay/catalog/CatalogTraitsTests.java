package dev.reelay.catalog;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped catalog promises only what the families behind its routes can do (a route takes a starting image only
 * in a way its family takes one; a model offers remix only where a family behind it can remix), and an operator's
 * entry that promises more is named. Otherwise a job would be accepted and then refused by the adapter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		// An operator's entry that offers what its family cannot: Gemini takes a starting image only inline, and
		// does not remix.
		"reelay.catalog.custom-models[0].id=url-on-gemini", "reelay.catalog.custom-models[0].display-name=URL on Gemini",
		"reelay.catalog.custom-models[0].provider=gemini", "reelay.catalog.custom-models[0].remote-model=veo-3.1-generate-001",
		"reelay.catalog.custom-models[0].durations=8", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p", "reelay.catalog.custom-models[0].image-inputs=upload,url",
		"reelay.catalog.custom-models[0].remix=true" })
class CatalogTraitsTests {

	@Autowired
	private CatalogTraitsCheck check;

	@Autowired
	private ModelCatalog catalog;

	@Autowired
	private ProviderInstances providers;

	@Test
	void onlyTheOperatorsEntryPromisesWhatItsFamilyCannotDo() {
		assertThat(this.check.mismatches()).containsExactly(
				"url-on-gemini offers a starting image as url through 'gemini', whose family does not take one that way",
				"url-on-gemini offers remix, but no family behind its routes can remix");
	}

	@Test
	void theShippedCatalogOffersImagesThroughManyRoutesAllOfWhichTheirFamiliesTake() {
		long imageRoutes = this.catalog.all().stream()
			.filter((model) -> !model.id().equals("url-on-gemini"))
			.flatMap((model) -> model.routes().stream().filter((route) -> !route.imageInputsOf(model).isEmpty()))
			.count();
		assertThat(imageRoutes).as("routes that take a starting image, checked above").isGreaterThan(10);
		assertThat(this.providers.traits("gemini").map(FamilyTraits::images).orElseThrow())
			.containsExactly(FamilyTraits.ImageSource.UPLOAD);
	}

}
