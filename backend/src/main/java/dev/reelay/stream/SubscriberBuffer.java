package dev.reelay.stream;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The bounded queue between the log tail and one subscriber. When it is full, progress events superseded by a
 * later event of the same job are dropped (each event carries the whole job, so the later one says it all). If
 * that frees nothing, {@link #offer} refuses and the subscriber is closed; terminal and other non-progress events
 * are never dropped. What stays keeps its id order, so a client's Last-Event-ID never skips past an event it
 * did not get.
 * <p>
 * Thread-safe: the tail offers while the subscriber's connection polls.
 */
final class SubscriberBuffer extends AbstractQueue<Outgoing> {

	private final ArrayDeque<Outgoing> items = new ArrayDeque<>();

	private final int capacity;

	private long coalesced;

	private int highWater;

	SubscriberBuffer(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("buffer capacity must be at least 1; got " + capacity);
		}
		this.capacity = capacity;
	}

	@Override
	public synchronized boolean offer(Outgoing message) {
		if (this.items.size() >= this.capacity && !makeRoom(message)) {
			return false;
		}
		this.items.addLast(message);
		this.highWater = Math.max(this.highWater, this.items.size());
		return true;
	}

	@Override
	public synchronized @Nullable Outgoing poll() {
		return this.items.pollFirst();
	}

	@Override
	public synchronized @Nullable Outgoing peek() {
		return this.items.peekFirst();
	}

	@Override
	public synchronized int size() {
		return this.items.size();
	}

	@Override
	public synchronized boolean isEmpty() {
		return this.items.isEmpty();
	}

	@Override
	public synchronized void clear() {
		this.items.clear();
	}

	/** A copy: the queue may change while it is being looked at. */
	@Override
	public synchronized Iterator<Outgoing> iterator() {
		return new ArrayList<>(this.items).iterator();
	}

	/** Drops whatever is waiting and leaves only {@code last}, so a closed subscriber's last word goes out next. */
	synchronized void replaceAllWith(Outgoing last) {
		this.items.clear();
		this.items.addLast(last);
	}

	/** Progress events dropped because a later event of the same job made them stale. */
	synchronized long coalesced() {
		return this.coalesced;
	}

	/** The most messages this buffer ever held at once. */
	synchronized int highWater() {
		return this.highWater;
	}

	private boolean makeRoom(Outgoing incoming) {
		// Newest to oldest: a progress event is stale once a later event of its job is queued (or arriving).
		Set<UUID> jobsWithLaterEvents = new HashSet<>();
		if (incoming.event() != null) {
			jobsWithLaterEvents.add(incoming.event().jobId());
		}
		Iterator<Outgoing> newestFirst = this.items.descendingIterator();
		while (newestFirst.hasNext()) {
			Outgoing queued = newestFirst.next();
			if (queued.event() == null) {
				continue;
			}
			boolean stale = !jobsWithLaterEvents.add(queued.event().jobId());
			if (stale && queued.isProgress()) {
				newestFirst.remove();
				this.coalesced++;
			}
		}
		return this.items.size() < this.capacity;
	}

}
