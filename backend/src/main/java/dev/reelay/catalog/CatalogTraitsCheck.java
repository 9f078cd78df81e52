package dev.reelay.catalog;

import java.util.ArrayList;
import java.util.List;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the catalog promises that the families behind its routes cannot do: a route offering a starting image in a
 * way its family does not take one, a model offering remix where no family behind it remixes. Said once at start, as
 * a warning per entry: such a configuration still starts (its other jobs run), and the jobs it cannot serve are
 * refused at submission (an image by {@link RouteChoice}, a remix by the job API's check of its source).
 */
@Component
class CatalogTraitsCheck {

	private static final Logger log = LoggerFactory.getLogger(CatalogTraitsCheck.class);

	private final ModelCatalog catalog;

	private final ProviderInstances providers;

	CatalogTraitsCheck(ModelCatalog catalog, ProviderInstances providers) {
		this.catalog = catalog;
		this.providers = providers;
	}

	@EventListener(ApplicationReadyEvent.class)
	void warn() {
		mismatches().forEach((mismatch) -> log.warn("catalog: {}; such jobs are refused at submission", mismatch));
	}

	/** Each promise no family behind it can keep, in words; empty when the catalog and the families agree. */
	List<String> mismatches() {
		List<String> found = new ArrayList<>();
		for (ModelSpec model : this.catalog.all()) {
			boolean canRemix = false;
			for (ModelSpec.Route route : model.routes()) {
				FamilyTraits traits = this.providers.traits(route.provider()).orElse(null);
				if (traits == null) {
					found.add(model.id() + " names provider instance '" + route.provider() + "', which is not configured");
					continue;
				}
				canRemix |= traits.remix();
				for (ModelSpec.ImageInputKind kind : route.imageInputsOf(model)) {
					if (!traits.images().contains(FamilyTraits.ImageSource.valueOf(kind.name()))) {
						found.add(model.id() + " offers a starting image as " + kind.name().toLowerCase(java.util.Locale.ROOT)
								+ " through '" + route.provider() + "', whose family does not take one that way");
					}
				}
			}
			if (model.remix() && !canRemix) {
				found.add(model.id() + " offers remix, but no family behind its routes can remix");
			}
		}
		return found;
	}

}
