package dev.reelay.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Replaces the simulator's clock with one the tests move. Only the simulator's: the application's {@code Clock} and
 * the dispatcher's keep real time, and no second {@code Clock} bean appears.
 */
@TestConfiguration(proxyBeanMethods = false)
class TestClockConfiguration {

	@Bean
	@Primary
	SimulatorClock movableSimulatorClock() {
		return new SimulatorClock(new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
	}

	/** The clock to move, from whichever simulator clock the context holds. */
	static MutableClock movable(SimulatorClock clock) {
		return (MutableClock) clock.clock();
	}

}
