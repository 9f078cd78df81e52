package dev.reelay.stream;

import java.time.Instant;

import dev.reelay.job.JobEventLog;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code eventListener}: UP while this instance listens for new events; DOWN while its listening connection is
 * being replaced (streams then see other instances' events only at the next recheck of the log).
 */
@Component
class EventListenerHealthIndicator implements ReactiveHealthIndicator {

	private final EventNotifications notifications;

	private final LogTail tail;

	EventListenerHealthIndicator(EventNotifications notifications, LogTail tail) {
		this.notifications = notifications;
		this.tail = tail;
	}

	@Override
	public Mono<Health> health() {
		Instant since = this.notifications.listeningSince();
		Health.Builder health = (since != null) ? Health.up().withDetail("listening_since", since.toString())
				: Health.down();
		String lastLoss = this.notifications.lastLoss();
		if (lastLoss != null) {
			health.withDetail("last_connection_lost", lastLoss);
		}
		return Mono.just(health.withDetail("channel", JobEventLog.CHANNEL)
			.withDetail("streams", this.tail.subscribers())
			.build());
	}

}
