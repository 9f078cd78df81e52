package dev.reelay.simulator;

import java.time.Clock;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the simulated OpenAI Videos API under {@code reelay.simulator.path}, to this process's own provider instance
 * only (see {@link SimulatorFilter}), with its own clock and its own tables. When the simulator is off (see
 * {@link SimulatorAccess#enabledIn}) none of this exists, no table is made and the paths answer 404.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(SimulatorEnabledCondition.class)
class SimulatorConfiguration {

	/** Status is computed from this clock, so tests replace this bean to move a video through its lifecycle. */
	@Bean
	SimulatorClock simulatorClock() {
		return new SimulatorClock(Clock.systemUTC());
	}

	/**
	 * Its tables are made before anything reads them, after the application's migrations (the initializer, which
	 * has run them once it exists). Without Flyway (spring.flyway.enabled=false) the operator keeps the schema.
	 */
	@Bean
	SimulatorVideos simulatorVideos(DatabaseClient db, ObjectProvider<Flyway> flyway,
			ObjectProvider<FlywayMigrationInitializer> applicationMigrations) {
		// Resolved first: once it exists, the application's migrations (V2, V180 among them) have run.
		applicationMigrations.getIfAvailable();
		flyway.ifAvailable((application) -> SimulatorSchema.migrate(application.getConfiguration()));
		return new SimulatorVideos(db);
	}

	@Bean
	SimulatorLedger simulatorLedger(SimulatorVideos videos) {
		return new SimulatorLedger(videos);
	}

	@Bean
	RouterFunction<ServerResponse> simulatorRoutes(SimulatorVideos videos, SimulatorSettings settings,
			SimulatorClock clock, SimulatorAccess access) {
		// java.util.Random is thread-safe; a seed makes a run's sequence of failures and 429s repeatable.
		RandomGenerator random = (settings.seed() != null) ? new Random(settings.seed()) : new Random();
		VideoHandler handler = new VideoHandler(videos, settings, clock.clock(), random);
		return RouterFunctions.route()
			.path(settings.path(), (api) -> api
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
