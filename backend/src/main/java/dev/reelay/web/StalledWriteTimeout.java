package dev.reelay.web;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.WriteTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client has stopped taking data: a write still waiting after the timeout means the
 * socket's send queue has not drained for that long (a stalled download, an event stream nobody reads), and what is
 * queued for it is freed. Quietly: a client that goes away is no server error, so no exception goes up the pipeline
 * (Reactor Netty would log it).
 */
final class StalledWriteTimeout extends WriteTimeoutHandler {

	private static final Logger log = LoggerFactory.getLogger(StalledWriteTimeout.class);

	private final Runnable onTimeout;

	private boolean closed;

	StalledWriteTimeout(long timeoutMillis, Runnable onTimeout) {
		super(timeoutMillis, TimeUnit.MILLISECONDS);
		this.onTimeout = onTimeout;
	}

	@Override
	protected void writeTimedOut(ChannelHandlerContext ctx) {
		if (!this.closed) {
			this.closed = true;
			this.onTimeout.run();
			if (log.isDebugEnabled()) {
				log.debug("closing a connection to {}: it took nothing written to it for the write timeout",
						ctx.channel().remoteAddress());
			}
			ctx.close();
		}
	}

}
