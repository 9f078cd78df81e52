package dev.reelay.stream;

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
		if (this.gone) {
			return false;
		}
		this.startAfter = position;
		return true;
	}

	/**
	 * Queues {@code message}; if the buffer cannot take it, the subscriber is closed with {@code tooSlow} (it
	 * resumes from the log, so nothing is lost). False once the subscriber is gone: the tail then forgets it.
	 */
	synchronized boolean deliver(Outgoing message, Outgoing tooSlow) {
		if (this.gone) {
			return false;
		}
		if (message.id() <= this.startAfter) {
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
