package dev.reelay.provider;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.modulith.NamedInterface;
import org.springframework.stereotype.Component;

/**
 * One circuit breaker per provider instance, fed with the outcome of every call the dispatcher makes to it. Closed:
 * the instance takes jobs. Open (after {@code failures} retryable failures in a row): it takes no new submissions
 * and its queued jobs go to another route of their model. Half open (once the cool-down passed): one job at a time
 * goes through as a probe; {@code successes} successful calls in a row close it, a failure opens it again.
 * <p>
 * A small state machine rather than Resilience4j's {@code CircuitBreaker}: that one opens on a failure rate and
 * grants permission per call, while Reelay decides at claim time, long before the call, and counts runs in a row.
 * The state is this process's own (each Reelay instance learns it from its own calls).
 */
@NamedInterface("view")
@Component
@EnableConfigurationProperties(BreakerSettings.class)
public class InstanceBreakers {

	private static final Logger log = LoggerFactory.getLogger(InstanceBreakers.class);

	public enum State {

		CLOSED, OPEN, HALF_OPEN;

		public String value() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/** What the page, the models list and health show. {@code until}: when an open breaker lets a probe through. */
	public record Status(State state, int failuresInRow, @Nullable Instant until) {
	}

	private final BreakerSettings settings;

	private final Clock clock;

	private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

	@Autowired
	InstanceBreakers(BreakerSettings settings) {
		this(settings, Clock.systemUTC());
	}

	/** With the clock its cool-downs are measured by (tests move it). */
	public InstanceBreakers(BreakerSettings settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
	}

	public Status status(String instance) {
		Breaker breaker = this.breakers.get(instance);
		return (breaker != null) ? breaker.status(now()) : new Status(State.CLOSED, 0, null);
	}

	/** Whether a new submission may go to {@code instance} now (closed, or half open with no probe out). */
	public boolean admits(String instance) {
		Breaker breaker = this.breakers.get(instance);
		return breaker == null || breaker.admits(now(), false);
	}

	/**
	 * How many new submissions may go now: {@code cap} when closed, none when open, one when half open and no probe
	 * is out. Takes nothing: {@link #claimed} takes the probe once a job was actually claimed.
	 */
	public int submissionsAllowed(String instance, int cap) {
		Breaker breaker = this.breakers.get(instance);
		if (breaker == null || cap <= 0) {
			return cap;
		}
		return switch (breaker.status(now()).state()) {
			case CLOSED -> cap;
			case OPEN -> 0;
			case HALF_OPEN -> breaker.admits(now(), false) ? 1 : 0;
		};
	}

	/** A submission to {@code instance} was claimed: while half open, it is the probe. */
	public void claimed(String instance) {
		Breaker breaker = this.breakers.get(instance);
		if (breaker != null) {
			breaker.admits(now(), true);
		}
	}

	public void succeeded(String instance) {
		breaker(instance).succeeded(now());
	}

	/** A retryable failure: no answer, a timeout, a 5xx. Refusals that say nothing of the instance's health do not count. */
	public void failed(String instance) {
		breaker(instance).failed(now());
	}

	private Breaker breaker(String instance) {
		return this.breakers.computeIfAbsent(instance, (name) -> new Breaker(name, this.settings));
	}

	private Instant now() {
		return this.clock.instant();
	}

	/** One instance's breaker; synchronized, its transitions are rare and cheap. */
	private static final class Breaker {

		private final String instance;

		private final BreakerSettings settings;

		private State state = State.CLOSED;

		private int failures;

		private int successes;

		private @Nullable Instant openUntil;

		private @Nullable Instant probeTaken;

		Breaker(String instance, BreakerSettings settings) {
			this.instance = instance;
			this.settings = settings;
		}

		synchronized Status status(Instant now) {
			advance(now);
			return new Status(this.state, this.failures, (this.state == State.OPEN) ? this.openUntil : null);
		}

		synchronized boolean admits(Instant now, boolean take) {
			advance(now);
			return switch (this.state) {
				case CLOSED -> true;
				case OPEN -> false;
				case HALF_OPEN -> {
					// One probe at a time; a probe whose outcome never came (its step died) frees the slot after a
					// cool-down, so a half-open breaker cannot stay shut for good.
					boolean free = this.probeTaken == null
							|| !now.isBefore(this.probeTaken.plus(this.settings.coolDown()));
					if (free && take) {
						this.probeTaken = now;
					}
					yield free;
				}
			};
		}

		synchronized void succeeded(Instant now) {
			advance(now);
			this.failures = 0;
			if (this.state == State.HALF_OPEN) {
				this.probeTaken = null;
				if (++this.successes >= this.settings.successes()) {
					log.info("provider {}: circuit breaker closed after {} successful calls", this.instance,
							this.successes);
					this.state = State.CLOSED;
					this.successes = 0;
				}
			}
		}

		synchronized void failed(Instant now) {
			advance(now);
			this.failures++;
			this.successes = 0;
			if (this.state == State.HALF_OPEN || (this.state == State.CLOSED && this.failures >= this.settings.failures())) {
				this.state = State.OPEN;
				this.openUntil = now.plus(this.settings.coolDown());
				this.probeTaken = null;
				log.warn("provider {}: circuit breaker open after {} failed calls in a row; new jobs go to other "
						+ "routes, a probe at {}", this.instance, this.failures, this.openUntil);
			}
		}

		private void advance(Instant now) {
			if (this.state == State.OPEN && this.openUntil != null && !now.isBefore(this.openUntil)) {
				this.state = State.HALF_OPEN;
				this.successes = 0;
				this.probeTaken = null;
			}
		}

	}

}
