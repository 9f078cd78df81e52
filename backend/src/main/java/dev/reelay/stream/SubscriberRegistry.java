package dev.reelay.stream;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which streams an event goes to: those that named jobs are found by job id, the rest are in one list. The arrays
 * are copied on change, so the tail reads them without a lock while streams come and go.
 */
final class SubscriberRegistry {

	private static final Subscriber[] NONE = new Subscriber[0];

	private final Map<UUID, Subscriber[]> byJob = new ConcurrentHashMap<>();

	private volatile Subscriber[] everyJob = NONE;

	private int count;

	private final AtomicLong closedTooSlow = new AtomicLong();

	private final AtomicInteger bufferHighWater = new AtomicInteger();

	synchronized void add(Subscriber subscriber) {
		if (subscriber.filter().jobIds().isEmpty()) {
			this.everyJob = with(this.everyJob, subscriber);
		}
		for (UUID jobId : subscriber.filter().jobIds()) {
			this.byJob.put(jobId, with(this.byJob.getOrDefault(jobId, NONE), subscriber));
		}
		this.count++;
	}

	/** Removes {@code subscriber} if it is here (removing twice is harmless). */
	void remove(Subscriber subscriber) {
		boolean removed = false;
		synchronized (this) {
			if (subscriber.filter().jobIds().isEmpty()) {
				Subscriber[] without = without(this.everyJob, subscriber);
				removed = without != this.everyJob;
				this.everyJob = without;
			}
			for (UUID jobId : subscriber.filter().jobIds()) {
				Subscriber[] current = this.byJob.getOrDefault(jobId, NONE);
				Subscriber[] without = without(current, subscriber);
				removed |= without != current;
				if (without.length == 0) {
					this.byJob.remove(jobId);
				}
				else if (without != current) {
					this.byJob.put(jobId, without);
				}
			}
			if (removed) {
				this.count--;
			}
		}
		if (removed) {
			this.bufferHighWater.accumulateAndGet(subscriber.buffer().highWater(), Math::max);
			if (subscriber.overflowed()) {
				this.closedTooSlow.incrementAndGet();
			}
		}
	}

	/** The streams that named {@code jobId}. */
	Subscriber[] forJob(UUID jobId) {
		return this.byJob.getOrDefault(jobId, NONE);
	}

	/** The streams that named no job. */
	Subscriber[] forEveryJob() {
		return this.everyJob;
	}

	/** Every stream, each once. */
	synchronized Subscriber[] all() {
		Set<Subscriber> all = new LinkedHashSet<>(Arrays.asList(this.everyJob));
		this.byJob.values().forEach((forJob) -> all.addAll(Arrays.asList(forJob)));
		return all.toArray(Subscriber[]::new);
	}

	synchronized int size() {
		return this.count;
	}

	long closedTooSlow() {
		return this.closedTooSlow.get();
	}

	int bufferHighWater() {
		return this.bufferHighWater.get();
	}

	private static Subscriber[] with(Subscriber[] subscribers, Subscriber added) {
		Subscriber[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
		grown[subscribers.length] = added;
		return grown;
	}

	private static Subscriber[] without(Subscriber[] subscribers, Subscriber removed) {
		for (int i = 0; i < subscribers.length; i++) {
			if (subscribers[i] == removed) {
				Subscriber[] shrunk = new Subscriber[subscribers.length - 1];
				System.arraycopy(subscribers, 0, shrunk, 0, i);
				System.arraycopy(subscribers, i + 1, shrunk, i, subscribers.length - i - 1);
				return shrunk;
			}
		}
		return subscribers;
	}

}
