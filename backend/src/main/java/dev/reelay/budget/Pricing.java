package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.catalog.RouteChoice;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobParameters;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Prices a job from its model's catalog prices: a clip price, or a price per second at the job's resolution times
 * its duration, at the dearest of its routes. Catalog prices are decimals in YAML, read as doubles; each is turned into the exact decimal it was
 * written as ({@link BigDecimal#valueOf(double)}) before any arithmetic.
 */
@Component
class Pricing {

	private final ModelCatalog catalog;

	Pricing(ModelCatalog catalog, BudgetSettings settings) {
		this.catalog = catalog;
		catalog.all().forEach((model) -> model.routes().forEach((route) -> {
			ModelSpec.Price price = model.priceOf(route);
			if (price != null && !price.currency().equals(settings.currency())) {
				throw new IllegalStateException("Model '" + model.id() + "' is priced in " + price.currency()
						+ " but budgets are kept in " + settings.currency() + " (reelay.budget.currency)");
			}
		}));
	}

	/**
	 * The estimate a budget reserves: the dearest of the model's routes for this job (it may end up on any of them,
	 * see {@code RouteChoice}), or null when the model has no price in the catalog.
	 */
	@Nullable JobCost estimate(String modelId, JobParameters parameters) {
		ModelSpec model = this.catalog.find(modelId).orElse(null);
		if (model == null) {
			return null;
		}
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		List<ModelSpec.Route> live = model.routes().stream().filter((route) -> !route.isRetired(today)).toList();
		return (live.isEmpty() ? model.routes() : live).stream()
			.map((route) -> {
				ModelSpec.Price price = model.priceOf(route);
				BigDecimal amount = RouteChoice.price(model, route, parameters.resolution(), parameters.durationSeconds());
				return (price != null && amount != null) ? new JobCost(price.currency(), amount, null) : null;
			})
			.filter(Objects::nonNull)
			.max(Comparator.comparing(JobCost::estimated))
			.orElse(null);
	}

}
