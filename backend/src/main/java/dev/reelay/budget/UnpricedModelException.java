package dev.reelay.budget;

import dev.reelay.job.InvalidJobRequestException;

/** A model without a catalog price cannot run under a budget: nobody could tell what it spends. */
class UnpricedModelException extends InvalidJobRequestException {

	UnpricedModelException(String model) {
		super("model", "model '" + model + "' has no price in the catalog, so it cannot run under a monthly budget");
	}

}
