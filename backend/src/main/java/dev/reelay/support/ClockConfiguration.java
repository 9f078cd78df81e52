package dev.reelay.support;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's {@link Clock}, for code that needs the time and may have it set in tests. Parts whose time tests
 * move on their own keep a clock of their own type, so moving one never moves another: the dispatcher
 * ({@code DispatchClock}) and the simulator ({@code SimulatorClock}).
 */
@Configuration(proxyBeanMethods = false)
class ClockConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
