package dev.reelay.e2e;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * For test classes whose dispatcher works the built-in {@code simulator} instance (their page or catalog is about it):
 * before that dispatcher starts, the unfinished jobs other test classes left on that instance in the shared database
 * are put off by a day, so this class's jobs do not queue behind them. Claims take the oldest first, and the instance
 * submits at most 60 a minute, so a few hundred left by the classes that ran before (which depends on the order the
 * build finds the classes in) used to hold this class's first job for minutes. The classes that own an instance of
 * their own (profiles {@code e2e}, {@code clips}, {@code ops}, and the dispatch tests) need none of this.
 * <p>
 * Only jobs nobody holds a lease on are put off: the other classes have ended (test classes run one after another)
 * and their dispatchers with them; the jobs keep their status and are not this class's to finish.
 */
@TestConfiguration(proxyBeanMethods = false)
class OtherClassesJobsHeld {

	private static final Logger log = LoggerFactory.getLogger(OtherClassesJobsHeld.class);

	@Bean
	SmartLifecycle otherClassesJobsHeldBeforeDispatch(DatabaseClient db) {
		return new SmartLifecycle() {

			private volatile boolean running;

			@Override
			public void start() {
				// Test set-up, before the dispatcher's own start: blocking here is what makes it come first.
				Long held = db.sql("UPDATE jobs SET next_attempt_at = now() + interval '1 day', version = version + 1 "
						+ "WHERE provider = 'simulator' AND status NOT IN ('completed', 'failed', 'canceled') "
						+ "AND (lease_until IS NULL OR lease_until < now())")
					.fetch()
					.rowsUpdated()
					.block(Duration.ofSeconds(30));
				log.info("put off {} unfinished jobs other test classes left on the simulator instance", held);
				this.running = true;
			}

			@Override
			public void stop() {
				this.running = false;
			}

			@Override
			public boolean isRunning() {
				return this.running;
			}

			@Override
			public int getPhase() {
				// Before every default-phase lifecycle, the dispatcher among them.
				return Integer.MIN_VALUE;
			}

		};
	}

}
