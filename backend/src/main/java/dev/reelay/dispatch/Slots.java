package dev.reelay.dispatch;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The jobs this instance may have in hand at once ({@code reelay.dispatch.concurrency}), taken before a claim for as
 * many jobs as it may return, so that claims for several provider instances running side by side never take more
 * than there is room for together; what a claim did not fill is given back at once, a job's slot when its step ends.
 */
final class Slots {

	private final int capacity;

	private final AtomicInteger taken = new AtomicInteger();

	Slots(int capacity) {
		this.capacity = capacity;
	}

	/** Takes up to {@code atMost} free slots; answers how many (zero when none is free). */
	int take(int atMost) {
		while (true) {
			int now = this.taken.get();
			int granted = Math.min(atMost, this.capacity - now);
			if (granted <= 0) {
				return 0;
			}
			if (this.taken.compareAndSet(now, now + granted)) {
				return granted;
			}
		}
	}

	void giveBack(int count) {
		if (count > 0) {
			this.taken.addAndGet(-count);
		}
	}

	int taken() {
		return this.taken.get();
	}

	int free() {
		return this.capacity - this.taken.get();
	}

}
