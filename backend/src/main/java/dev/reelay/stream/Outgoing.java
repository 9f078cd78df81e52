package dev.reelay.stream;

import java.nio.ByteBuffer;

import dev.reelay.job.JobEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * One message of a stream: a job event, or a notice about the stream itself ({@code event} is null), with its
 * bytes on the wire. Built once per event and shared by every subscriber it goes to, so a delivery copies nothing.
 * {@code late}: an event whose id the stream already passed over (see {@code GapAwareCursor}), sent out of order.
 */
record Outgoing(@Nullable JobEvent event, byte[] frame, boolean late, ByteBuf shared) {

	Outgoing(@Nullable JobEvent event, byte[] frame, boolean late) {
		this(event, frame, late, direct(frame));
	}

	Outgoing(@Nullable JobEvent event, byte[] frame) {
		this(event, frame, false);
	}

	/** The event id, or 0 for a notice. */
	long id() {
		return (this.event != null) ? this.event.id() : 0;
	}

	boolean endsJob() {
		return this.event != null && this.event.type().isTerminal();
	}

	/**
	 * The frame for one connection to write: a view of bytes shared by every subscriber (its own read position, no
	 * copy). Off the heap, so the socket writes it as it is: a heap array would be copied to native memory for every
	 * connection it is written to.
	 */
	ByteBuf wire() {
		return this.shared.duplicate();
	}

	/**
	 * The frame in native memory that the garbage collector frees (the JDK's direct buffer has a cleaner), which no
	 * release may free early: it is shared, and the connections release what they write.
	 */
	static ByteBuf direct(byte[] frame) {
		ByteBuffer bytes = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
		return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
	}

}
