package dev.reelay.simulator;

import java.time.Clock;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the simulated OpenAI Videos API under {@value #BASE_PATH}, to this process's own provider instance only
 * (see {@link SimulatorFilter}). When the simulator is off (see {@link SimulatorAccess#enabledIn}) none of this
 * exists and the paths answer 404.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(SimulatorEnabledCondition.class)
class SimulatorConfiguration {

	static final String BASE_PATH = "/simulator/openai/v1";

	/** Status is computed from the clock, so tests replace this bean to move a video through its lifecycle. */
	@Bean
	@ConditionalOnMissingBean
	Clock simulatorClock() {
		return Clock.systemUTC();
	}

	@Bean
	SimulatorVideos simulatorVideos(DatabaseClient db) {
		return new SimulatorVideos(db);
	}

	@Bean
	SimulatorLedger simulatorLedger(SimulatorVideos videos) {
		return new SimulatorLedger(videos);
	}

	@Bean
	RouterFunction<ServerResponse> simulatorRoutes(SimulatorVideos videos, SimulatorSettings settings, Clock clock,
			SimulatorAccess access) {
		// java.util.Random is thread-safe; a seed makes a run's sequence of failures and 429s repeatable.
		RandomGenerator random = (settings.seed() != null) ? new Random(settings.seed()) : new Random();
		VideoHandler handler = new VideoHandler(videos, settings, clock, random);
		return RouterFunctions.route()
			.path(BASE_PATH, (api) -> api
				.POST("/videos", handler::create)
				.GET("/videos", handler::list)
				.GET("/videos/{id}", handler::retrieve)
				.DELETE("/videos/{id}", handler::delete)
				.GET("/videos/{id}/content", handler::content)
				.POST("/videos/{id}/remix", handler::remix)
				// Edits, extensions and characters are not simulated; they get upstream's unknown-URL answer.
				.route(RequestPredicates.all(), handler::unknownRoute))
			.filter(new SimulatorFilter(settings, access))
			.build();
	}

}
