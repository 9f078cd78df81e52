package dev.reelay.budget;

import dev.reelay.support.BadRequestException;

/** A model without a catalog price cannot run under a budget: nobody could tell what it spends. */
class UnpricedModelException extends BadRequestException {

	UnpricedModelException(String model) {
		super("model", "model '" + model + "' has no price in the catalog, so it cannot run under a monthly budget");
	}

}
