package dev.reelay.catalog;

import java.util.ArrayList;
import java.util.List;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped catalog promises only what the families behind its routes can do: a route takes a starting image only
 * in a way its family takes one, and a model offers remix only where a family behind it can remix. Otherwise a job
 * would be accepted and then refused by the adapter at submission.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class CatalogTraitsTests {

	@Autowired
	private ModelCatalog catalog;

	@Autowired
	private ProviderInstances providers;

	@Test
	void everyRouteTakesImagesOnlyAsItsFamilyDoesAndRemixOnlyWhereItCan() {
		List<String> broken = new ArrayList<>();
		int imageRoutes = 0;
		for (ModelSpec model : this.catalog.all()) {
			boolean canRemix = false;
			for (ModelSpec.Route route : model.routes()) {
				FamilyTraits traits = this.providers.traits(route.provider()).orElse(null);
				if (traits == null) {
					broken.add(model.id() + " via " + route.provider() + ": no such instance");
					continue;
				}
				canRemix |= traits.remix();
				imageRoutes += route.imageInputsOf(model).isEmpty() ? 0 : 1;
				for (ModelSpec.ImageInputKind kind : route.imageInputsOf(model)) {
					if (!traits.images().contains(FamilyTraits.ImageSource.valueOf(kind.name()))) {
						broken.add(model.id() + " via " + route.provider() + " offers an image as " + kind
								+ "; the family takes " + traits.images());
					}
				}
			}
			if (model.remix() && !canRemix) {
				broken.add(model.id() + " offers remix; no family behind it remixes");
			}
		}
		assertThat(broken).isEmpty();
		assertThat(imageRoutes).as("routes that take a starting image, checked").isGreaterThan(10);
	}

}
