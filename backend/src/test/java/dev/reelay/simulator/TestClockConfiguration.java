package dev.reelay.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Replaces the system clock with one the tests move. */
@TestConfiguration(proxyBeanMethods = false)
class TestClockConfiguration {

	// Primary so it wins over the simulator's fallback Clock whichever bean is registered first.
	@Bean
	@Primary
	MutableClock testClock() {
		return new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
	}

}
