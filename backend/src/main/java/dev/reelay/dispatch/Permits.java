package dev.reelay.dispatch;

import org.jspecify.annotations.Nullable;

/** How many more calls a limit allows: a missing limit allows any number. */
final class Permits {

	static final int UNLIMITED = Integer.MAX_VALUE;

	private Permits() {
	}

	static int left(@Nullable Integer limit, long used) {
		return (limit == null) ? UNLIMITED : (int) Math.max(0, limit - used);
	}

	static int min(int... values) {
		int smallest = UNLIMITED;
		for (int value : values) {
			smallest = Math.min(smallest, value);
		}
		return smallest;
	}

}
