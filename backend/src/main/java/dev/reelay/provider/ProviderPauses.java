package dev.reelay.provider;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Provider instances this Reelay was told to leave alone for a while (a rate limit), so health can say so without
 * spending a request. Whoever meets the limit reports it; a pause ends by itself when its time is up.
 */
@Component
public class ProviderPauses {

	private final Map<String, Pause> pauses = new ConcurrentHashMap<>();

	/** Pauses {@code instance} until {@code until}; a pause already reported to end later is kept. */
	public void pause(String instance, Instant until, String reason) {
		Pause reported = new Pause(until, reason);
		this.pauses.merge(instance, reported, (current, next) -> next.until().isAfter(current.until()) ? next : current);
	}

	public void resume(String instance) {
		this.pauses.remove(instance);
	}

	/** The pause in force at {@code now}, if any. */
	public Optional<Pause> current(String instance, Instant now) {
		Pause pause = this.pauses.get(instance);
		if (pause == null) {
			return Optional.empty();
		}
		if (!pause.until().isAfter(now)) {
			this.pauses.remove(instance, pause);
			return Optional.empty();
		}
		return Optional.of(pause);
	}

	public record Pause(Instant until, String reason) {
	}

}
