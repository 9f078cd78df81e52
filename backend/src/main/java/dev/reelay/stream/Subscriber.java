package dev.reelay.stream;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.reelay.job.JobEventFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One open stream as the log tail sees it: what it wants, the position it started after, and its bounded buffer.
 * Emissions are serialized by this object's lock (the tail delivers, shutdown closes, the connection cancels).
 */
final class Subscriber {

	private final JobEventFilter filter;

	private final SubscriberBuffer buffer;

	private final Sinks.Many<Outgoing> sink;

	private long startAfter = Long.MAX_VALUE;

	private boolean gone;

	/**
	 * Ids below the start that the tail had passed over, still missing, when it registered this stream: their events
	 * may yet commit, and then come late. Those the stream sent from the log already are left out.
	 */
	private final Set<Long> lateIds = new HashSet<>();

	/** Ids the tail had passed over that this stream sent from the log (its replay or the job's current state). */
	private final Set<Long> sentPassedOver = new HashSet<>();

	private boolean overflowed;

	Subscriber(JobEventFilter filter, int capacity) {
		this.filter = filter;
		this.buffer = new SubscriberBuffer(capacity);
		this.sink = Sinks.many().unicast().onBackpressureBuffer(this.buffer);
	}

	JobEventFilter filter() {
		return this.filter;
	}

	/** What the tail delivered, in id order; completes after a closing notice. Subscribe once. */
	Flux<Outgoing> messages() {
		return this.sink.asFlux();
	}

	/**
	 * Called by the tail when it registers this subscriber at {@code position}: it delivers only later events.
	 * False if the stream already went away.
	 */
	synchronized boolean startAfter(long position) {
		return startAfter(position, List.of());
	}

	/**
	 * As {@link #startAfter(long)}, where the tail had passed over the ids {@code passedOver} (see
	 * {@code GapAwareCursor}): should one of them commit after all, this stream gets it late although it is below
	 * the start. A stream opened between an event's append and its commit read the log before the event was there.
	 */
	synchronized boolean startAfter(long position, Collection<Long> passedOver) {
		if (this.gone) {
			return false;
		}
		this.startAfter = position;
		for (Long id : passedOver) {
			if (id <= position && !this.sentPassedOver.contains(id)) {
				this.lateIds.add(id);
			}
		}
		return true;
	}

	/**
	 * The stream sent event {@code id} from the log; {@code passedOver}: the tail had passed over that id (and might
	 * still deliver it late). A late copy of it would repeat it.
	 */
	synchronized void sentFromLog(long id, boolean passedOver) {
		if (passedOver) {
			this.sentPassedOver.add(id);
		}
		this.lateIds.remove(id);
	}

	/** Whether a late event below the start is one this stream still owes its client (see above). */
	synchronized boolean owesLate(long id) {
		return this.lateIds.contains(id);
	}

	/**
	 * Queues {@code message}; if the buffer cannot take it, the subscriber is closed with {@code tooSlow} (it
	 * resumes from the log, so nothing is lost). False once the subscriber is gone: the tail then forgets it.
	 */
	synchronized boolean deliver(Outgoing message, Outgoing tooSlow) {
		if (this.gone) {
			return false;
		}
		if (message.id() <= this.startAfter && !(message.late() && this.lateIds.contains(message.id()))) {
			return true;
		}
		Sinks.EmitResult result = this.sink.tryEmitNext(message);
		if (result.isSuccess()) {
			return true;
		}
		// The buffer refused: FAIL_ZERO_SUBSCRIBER when the stream is still replaying and has not subscribed yet.
		if (result == Sinks.EmitResult.FAIL_OVERFLOW || result == Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
			close(tooSlow);
			this.overflowed = true;
		}
		this.gone = true;
		return false;
	}

	/** Ends the stream: whatever is still buffered is dropped and {@code last} is the final message. */
	synchronized void close(Outgoing last) {
		if (this.gone) {
			return;
		}
		this.gone = true;
		this.buffer.replaceAllWith(last);
		this.sink.tryEmitComplete();
	}

	/**
	 * Nothing more is delivered. What is buffered stays: a closing notice must still go out, and a canceled
	 * connection's sink empties the buffer itself.
	 */
	synchronized void dispose() {
		this.gone = true;
	}

	/** True if this subscriber was closed because its buffer overflowed. */
	synchronized boolean overflowed() {
		return this.overflowed;
	}

	synchronized boolean isGone() {
		return this.gone;
	}

	SubscriberBuffer buffer() {
		return this.buffer;
	}

}
