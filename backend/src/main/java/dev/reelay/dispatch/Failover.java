package dev.reelay.dispatch;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.Set;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.catalog.RouteChoice;
import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.ProviderException;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Where a job goes when its route refused the create, and what it costs there. The one rule: a job moves to
 * another route only when the first one certainly did not accept it. Certain: a rate limit (429), a refusal that
 * says the route cannot take it (bad or missing key, no credit, no such model: 401, 402, 403, 404), or a
 * connection that was never made (nothing was sent). Not certain, so never a move: a timeout, a reset, a 5xx, any
 * answer lost after the request left (that create is reconciled on its own route). A refusal of the request itself
 * (invalid input, moderation) would be refused by every route, and a remix only exists where its source does: no
 * move either.
 */
@Component
class Failover {

	private static final Set<ErrorClass> ROUTE_REFUSALS = Set.of(ErrorClass.RATE_LIMIT, ErrorClass.AUTHENTICATION,
			ErrorClass.QUOTA, ErrorClass.NOT_FOUND);

	private static final Set<Integer> ROUTE_REFUSAL_STATUSES = Set.of(401, 402, 403, 404, 429);

	private final ModelCatalog catalog;

	private final RouteChoice routes;

	Failover(ModelCatalog catalog, RouteChoice routes) {
		this.catalog = catalog;
		this.routes = routes;
	}

	/** Whether {@code error}, answering a create, means the route certainly did not accept it. */
	static boolean certainlyNotAccepted(ProviderException error) {
		return switch (error.kind()) {
			case RATE_LIMITED -> true;
			case RETRYABLE -> error.notSent();
			case PERMANENT -> ROUTE_REFUSAL_STATUSES.contains(error.httpStatus())
					|| ROUTE_REFUSALS.contains(ErrorClass.of(error));
		};
	}

	/**
	 * The route {@code refused} (a job whose create was just refused as {@code error}) moves to: the best one it was
	 * not sent to yet that can make it and whose breaker admits it; empty when the refusal is no reason to move or
	 * no such route is left.
	 */
	Optional<ModelSpec.Route> next(Job refused, ProviderException error) {
		if (!certainlyNotAccepted(error) || refused.parameters().remixOf() != null) {
			return Optional.empty();
		}
		JobParameters parameters = refused.parameters();
		return this.catalog.find(refused.model())
			.filter((model) -> model.routes().size() > 1)
			.flatMap((model) -> this.routes.next(model, parameters.resolution(), parameters.durationSeconds(),
					imageKind(parameters), refused.routeAttempts().keySet()));
	}

	/** What {@code job} costs on route {@code provider}; null when unpriced. */
	@Nullable BigDecimal priceOn(Job job, String provider) {
		JobParameters parameters = job.parameters();
		return this.catalog.find(job.model())
			.flatMap((model) -> model.route(provider)
				.map((route) -> RouteChoice.price(model, route, parameters.resolution(),
						parameters.durationSeconds())))
			.orElse(null);
	}

	private static ModelSpec.@Nullable ImageInputKind imageKind(JobParameters parameters) {
		JobParameters.ImageRef image = parameters.image();
		return (image == null) ? null
				: (image.url() != null) ? ModelSpec.ImageInputKind.URL : ModelSpec.ImageInputKind.UPLOAD;
	}

}
