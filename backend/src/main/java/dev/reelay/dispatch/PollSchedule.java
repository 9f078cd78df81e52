package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.reelay.job.Job;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.RemoteJob;

import org.springframework.stereotype.Component;

/**
 * When a followed job is polled next: often while a generation is young (progress is most interesting then) and
 * less as it ages, never faster than the instance's poll interval nor than the provider asks.
 */
@Component
class PollSchedule {

	private final ProviderRegistry providers;

	private final DispatchSettings settings;

	private final Clock clock;

	PollSchedule(ProviderRegistry providers, DispatchSettings settings, DispatchClock clock) {
		this.providers = providers;
		this.settings = settings;
		this.clock = clock.clock();
	}

	/** When {@code job}, which the provider just described as {@code remote}, is to be polled next. */
	Instant next(Job job, RemoteJob remote) {
		Instant now = this.clock.instant();
		return now.plus(delay(job, remote, now));
	}

	private Duration delay(Job job, RemoteJob remote, Instant now) {
		Duration floor = this.providers.settings(job.provider()).pollInterval();
		Duration ceiling = this.settings.limitsFor(job.provider()).maxPollInterval();
		Instant started = Objects.requireNonNullElse(job.submitStartedAt(), job.createdAt());
		Duration adaptive = Duration.between(started, now).dividedBy(10);
		Duration delay = (adaptive.compareTo(floor) < 0) ? floor : (adaptive.compareTo(ceiling) > 0 ? ceiling : adaptive);
		Duration hinted = remote.pollAfter();
		return (hinted != null && hinted.compareTo(delay) > 0) ? hinted : delay;
	}

}
