package dev.reelay.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code backgroundLoops}: DOWN while any running background loop has had no successful iteration for longer than
 * it may (see {@link LoopSettings}). Part of readiness, not liveness: every iteration is bounded by
 * {@code reelay.loops.iteration-timeout}, so a loop cannot hang for good and recovers by itself; a stall beyond the
 * threshold means what it depends on (in practice the database) is failing, which a restart would not cure, and
 * restarting every instance at once on a database outage would only add load.
 */
@Component("backgroundLoops")
public class BackgroundLoops implements ReactiveHealthIndicator {

	private final LoopSettings settings;

	private final List<Heartbeat> loops = new CopyOnWriteArrayList<>();

	public BackgroundLoops(LoopSettings settings) {
		this.settings = settings;
	}

	/** Registers a loop that is woken at least every {@code interval}. */
	public Heartbeat register(String name, Duration interval) {
		Duration allowed = interval.plus(this.settings.iterationTimeout());
		Heartbeat heartbeat = new Heartbeat(name,
				(allowed.compareTo(this.settings.stallAfter()) > 0) ? allowed : this.settings.stallAfter());
		this.loops.add(heartbeat);
		return heartbeat;
	}

	public Duration iterationTimeout() {
		return this.settings.iterationTimeout();
	}

	@Override
	public Mono<Health> health() {
		Instant now = Instant.now();
		Health.Builder health = Health.up();
		for (Heartbeat loop : this.loops) {
			Instant last = loop.lastBeat();
			if (last == null) {
				continue;
			}
			boolean stalled = loop.stalled(now);
			if (stalled) {
				health.down();
			}
			health.withDetail(loop.name(), (stalled ? "stalled; " : "") + "last successful iteration " + last);
		}
		return Mono.just(health.build());
	}

}
