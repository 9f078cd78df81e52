package dev.reelay.dispatch;

import java.time.Duration;
import java.util.Map;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A background loop that stops making progress turns health DOWN, and it recovers by itself once the cause is gone.
 * The stall is real: the dispatcher's claim for a provider instance of this test's own waits on that instance's
 * advisory lock, held by the test, with no lock timeout in this context, so only the loop's own iteration timeout
 * ends each attempt. The context runs a dispatcher, so it is closed afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.loops.iteration-timeout=2s", "reelay.loops.stall-after=5s",
				"reelay.database.session.lock-timeout=0", "reelay.dispatch.enabled=true", "reelay.dispatch.tick=200ms",
				// Only the test's own instance: the dispatcher must not work other test classes' jobs.
				"reelay.providers.instances.simulator.enabled=false",
				"reelay.providers.instances." + LoopLivenessTests.PROVIDER + ".family=openai-videos",
				"reelay.providers.instances." + LoopLivenessTests.PROVIDER + ".base-url=http://127.0.0.1:9/v1",
				"reelay.providers.instances." + LoopLivenessTests.PROVIDER + ".api-key=test",
				"reelay.dispatch.limits." + LoopLivenessTests.PROVIDER + ".submits.count=5",
				"reelay.dispatch.limits." + LoopLivenessTests.PROVIDER + ".submits.per=1m" })
@DirtiesContext
class LoopLivenessTests {

	static final String PROVIDER = "loopstall";

	@LocalServerPort
	private int port;

	@Autowired
	private Environment environment;

	@Test
	void aStalledClaimLoopTurnsHealthDownAndRecoversAfterTheLockIsReleased() {
		WebTestClient http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(loops(http)).isEqualTo("UP"));

		Connection locker = Mono.from(ConnectionFactories.get(ConnectionFactoryOptions
			.parse(this.environment.getRequiredProperty("spring.r2dbc.url"))
			.mutate()
			.option(ConnectionFactoryOptions.USER, this.environment.getRequiredProperty("spring.r2dbc.username"))
			.option(ConnectionFactoryOptions.PASSWORD, this.environment.getRequiredProperty("spring.r2dbc.password"))
			.build()).create()).block(Duration.ofSeconds(30));
		try {
			Mono.from(locker.beginTransaction()).block(Duration.ofSeconds(30));
			Flux.from(locker.createStatement("SELECT pg_advisory_xact_lock(hashtext($1))")
				.bind("$1", "reelay:" + CallLedger.SUBMIT + ":" + PROVIDER)
				.execute()).flatMap((result) -> result.getRowsUpdated()).blockLast(Duration.ofSeconds(30));

			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(loops(http)).isEqualTo("DOWN"));
			http.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);

			Mono.from(locker.rollbackTransaction()).block(Duration.ofSeconds(30));
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(loops(http)).isEqualTo("UP"));
		}
		finally {
			Mono.from(locker.close()).block(Duration.ofSeconds(30));
		}
	}

	@SuppressWarnings("unchecked")
	private static String loops(WebTestClient http) {
		Map<String, Object> health = http.get()
			.uri("/actuator/health")
			.exchange()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		Map<String, Object> components = (Map<String, Object>) health.get("components");
		return String.valueOf(((Map<String, Object>) components.get("backgroundLoops")).get("status"));
	}

}
