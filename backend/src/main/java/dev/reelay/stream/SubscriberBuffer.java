package dev.reelay.stream;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;

import org.jspecify.annotations.Nullable;

/**
 * The bounded queue between the log tail and one subscriber. Overflow policy: when it is full, {@link #offer}
 * refuses and the subscriber is closed with a notice; its client resumes from the log with its Last-Event-ID. No
 * event is ever dropped from the queue (not even progress a later event supersedes: a client counting sequence
 * numbers would see a gap), so what a stream sends is the log, in id order, without holes.
 * <p>
 * Thread-safe: the tail offers while the subscriber's connection polls.
 */
final class SubscriberBuffer extends AbstractQueue<Outgoing> {

	private final ArrayDeque<Outgoing> items = new ArrayDeque<>();

	private final int capacity;

	private int highWater;

	SubscriberBuffer(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("buffer capacity must be at least 1; got " + capacity);
		}
		this.capacity = capacity;
	}

	@Override
	public synchronized boolean offer(Outgoing message) {
		if (this.items.size() >= this.capacity) {
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

	/** The most messages this buffer ever held at once. */
	synchronized int highWater() {
		return this.highWater;
	}

}
