package dev.reelay.stream;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.reelay.tenant.QuotaExceededException;
import dev.reelay.tenant.TenantQuotas;
import reactor.core.publisher.Flux;

import org.springframework.stereotype.Component;

/**
 * Open event streams per tenant on this instance, at most {@link TenantQuotas#maxStreams} each. Counted in memory:
 * a stream lives on one instance, and the count is a map entry per tenant with streams open (removed at zero).
 */
@Component
class StreamQuota {

	private final TenantQuotas quotas;

	private final Map<UUID, Integer> open = new ConcurrentHashMap<>();

	StreamQuota(TenantQuotas quotas) {
		this.quotas = quotas;
	}

	/**
	 * Takes a place for one of {@code tenant}'s streams, or fails with {@link QuotaExceededException} when all are
	 * taken. The place is held by {@code stream}: it is given back once, when the stream ends or is canceled.
	 */
	<T> Flux<T> admit(UUID tenant, Flux<T> stream) {
		int max = this.quotas.maxStreams();
		AtomicBoolean taken = new AtomicBoolean();
		this.open.compute(tenant, (key, count) -> {
			int now = (count != null) ? count : 0;
			if (now >= max) {
				return count;
			}
			taken.set(true);
			return now + 1;
		});
		if (!taken.get()) {
			throw QuotaExceededException.streams(this.quotas);
		}
		AtomicBoolean released = new AtomicBoolean();
		return stream.doFinally((signal) -> {
			if (released.compareAndSet(false, true)) {
				release(tenant);
			}
		});
	}

	/** Streams {@code tenant} has open on this instance (for tests). */
	int open(UUID tenant) {
		return this.open.getOrDefault(tenant, 0);
	}

	private void release(UUID tenant) {
		this.open.computeIfPresent(tenant, (key, count) -> (count > 1) ? count - 1 : null);
	}

}
