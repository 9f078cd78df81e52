package dev.reelay.dispatch;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The time the dispatcher decides by: leases, due jobs and limit windows all compare against it (never the
 * database's clock), so tests can set it. Instances sharing a database need synchronized clocks (NTP).
 */
record DispatchClock(Clock clock) {

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		DispatchClock dispatchClock() {
			return new DispatchClock(Clock.systemUTC());
		}

	}

}
