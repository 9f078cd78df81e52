package dev.reelay.web;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client has stopped taking data: writes waiting while none has completed for the
 * timeout means the socket's send queue has not drained for that long (a stalled download, an event stream nobody
 * reads), and what is queued for it is freed. Quietly: a client that goes away is no server error, so no exception
 * goes up the pipeline (Reactor Netty would log it).
 * <p>
 * One timer per connection, armed while writes are waiting, instead of Netty's {@code WriteTimeoutHandler}, which
 * schedules and cancels a timer for every write: with thousands of event streams that was a priority-queue insert and
 * removal on the event loop per event per subscriber. Runs on the channel's event loop only.
 */
final class StalledWriteTimeout extends ChannelDuplexHandler {

	private static final Logger log = LoggerFactory.getLogger(StalledWriteTimeout.class);

	private final long timeoutNanos;

	private final Runnable onTimeout;

	private final ChannelFutureListener completed = this::completed;

	// Event loop only, like every handler method.
	private long pending;

	private long lastProgress;

	private @Nullable ScheduledFuture<?> timer;

	private boolean closed;

	StalledWriteTimeout(long timeoutMillis, Runnable onTimeout) {
		this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		this.onTimeout = onTimeout;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		ChannelPromise watched = promise.unvoid();
		if (this.pending++ == 0) {
			// The wait starts now, not at the last completion before an idle spell.
			this.lastProgress = System.nanoTime();
		}
		watched.addListener(this.completed);
		if (this.timer == null) {
			arm(ctx, this.timeoutNanos);
		}
		ctx.write(msg, watched);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		disarm();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		disarm();
		super.channelInactive(ctx);
	}

	private void completed(ChannelFuture future) {
		this.pending--;
		this.lastProgress = System.nanoTime();
	}

	private void arm(ChannelHandlerContext ctx, long delayNanos) {
		this.timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
	}

	private void check(ChannelHandlerContext ctx) {
		this.timer = null;
		if (this.pending == 0 || this.closed || !ctx.channel().isOpen()) {
			return;
		}
		long waited = System.nanoTime() - this.lastProgress;
		if (waited < this.timeoutNanos) {
			arm(ctx, this.timeoutNanos - waited);
			return;
		}
		this.closed = true;
		this.onTimeout.run();
		if (log.isDebugEnabled()) {
			log.debug("closing a connection to {}: it took nothing written to it for the write timeout",
					ctx.channel().remoteAddress());
		}
		ctx.close();
	}

	private void disarm() {
		ScheduledFuture<?> armed = this.timer;
		if (armed != null) {
			armed.cancel(false);
			this.timer = null;
		}
	}

}
