package dev.reelay.budget;

import java.math.BigDecimal;
import java.util.Comparator;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobParameters;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Prices a job from its model's catalog price: a clip price, or a price per second at the job's resolution times
 * its duration. Catalog prices are decimals in YAML, read as doubles; each is turned into the exact decimal it was
 * written as ({@link BigDecimal#valueOf(double)}) before any arithmetic.
 */
@Component
class Pricing {

	private final ModelCatalog catalog;

	Pricing(ModelCatalog catalog, BudgetSettings settings) {
		this.catalog = catalog;
		catalog.all().forEach((model) -> {
			ModelSpec.Price price = model.price();
			if (price != null && !price.currency().equals(settings.currency())) {
				throw new IllegalStateException("Model '" + model.id() + "' is priced in " + price.currency()
						+ " but budgets are kept in " + settings.currency() + " (reelay.budget.currency)");
			}
		});
	}

	/** The estimate, or null when the model has no price in the catalog. */
	@Nullable JobCost estimate(String modelId, JobParameters parameters) {
		ModelSpec.Price price = this.catalog.find(modelId).map(ModelSpec::price).orElse(null);
		if (price == null) {
			return null;
		}
		if (price.perClip() != null) {
			return new JobCost(price.currency(), BigDecimal.valueOf(price.perClip()), null);
		}
		Double perSecond = price.perSecond().get(parameters.resolution());
		if (perSecond == null) {
			// A resolution the price list forgot: the dearest listed rate, so the budget errs towards caution.
			perSecond = price.perSecond().values().stream().max(Comparator.naturalOrder()).orElse(null);
		}
		if (perSecond == null) {
			return null;
		}
		return new JobCost(price.currency(),
				BigDecimal.valueOf(perSecond).multiply(BigDecimal.valueOf(parameters.durationSeconds())), null);
	}

}
