package dev.reelay.web;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request-head deadline: the request line and headers must arrive whole within the timeout of the
 * connection opening, or of the first byte of a later request on a kept-alive connection; a client that trickles
 * them (or sends half and then nothing) is answered 408 and closed. The deadline covers the head only: once it is
 * decoded the body is Reactor Netty's read timeout's, and a response in progress (an SSE stream the client only
 * listens to) is never timed here.
 * <p>
 * Two handlers share the state: {@link #bytes()} before the HTTP codec sees that a head has started,
 * {@link #messages()} after it sees the head decoded and the body ended. Both run on the connection's event loop.
 */
final class RequestHeadTimeout {

	private static final Logger log = LoggerFactory.getLogger(RequestHeadTimeout.class);

	private final long timeoutMillis;

	private final ConnectionProblems problems;

	private final Runnable onTimeout;

	private @Nullable ScheduledFuture<?> deadline;

	// Between a decoded head and the end of its body: bytes arriving are the body's.
	private boolean inRequest;

	// A response has started and not ended: the timeout then closes without answering.
	private boolean responding;

	private @Nullable ChannelHandlerContext messagesContext;

	// Once answered 408: the codec's complaint about the head cut short by the close is no news, and not passed on
	// (Reactor Netty would log a warning for each such connection).
	private boolean expired;

	RequestHeadTimeout(long timeoutMillis, ConnectionProblems problems, Runnable onTimeout) {
		this.timeoutMillis = timeoutMillis;
		this.problems = problems;
		this.onTimeout = onTimeout;
	}

	/** Before the HTTP codec: starts the deadline when the connection opens and when a head's first bytes come. */
	ChannelInboundHandlerAdapter bytes() {
		return new ChannelInboundHandlerAdapter() {

			@Override
			public void handlerAdded(ChannelHandlerContext ctx) {
				if (ctx.channel().isActive()) {
					arm(ctx);
				}
			}

			@Override
			public void channelActive(ChannelHandlerContext ctx) {
				arm(ctx);
				ctx.fireChannelActive();
			}

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (!RequestHeadTimeout.this.inRequest && msg instanceof ByteBuf bytes && bytes.isReadable()) {
					arm(ctx);
				}
				ctx.fireChannelRead(msg);
			}

			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				disarm();
				ctx.fireChannelInactive();
			}

		};
	}

	/** After the HTTP codec: a decoded head ends the deadline; the end of its body lets the next head start one. */
	ChannelDuplexHandler messages() {
		return new ChannelDuplexHandler() {

			@Override
			public void handlerAdded(ChannelHandlerContext ctx) {
				RequestHeadTimeout.this.messagesContext = ctx;
			}

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (RequestHeadTimeout.this.expired) {
					ReferenceCountUtil.release(msg);
					return;
				}
				if (msg instanceof HttpRequest) {
					disarm();
					RequestHeadTimeout.this.inRequest = true;
				}
				if (msg instanceof LastHttpContent) {
					RequestHeadTimeout.this.inRequest = false;
				}
				ctx.fireChannelRead(msg);
			}

			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
				if (msg instanceof HttpResponse response
						&& response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
					RequestHeadTimeout.this.responding = true;
				}
				if (msg instanceof LastHttpContent) {
					RequestHeadTimeout.this.responding = false;
				}
				ctx.write(msg, promise);
			}

		};
	}

	private void arm(ChannelHandlerContext ctx) {
		if (this.deadline == null) {
			this.deadline = ctx.executor().schedule(this::expire, this.timeoutMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void disarm() {
		if (this.deadline != null) {
			this.deadline.cancel(false);
			this.deadline = null;
		}
	}

	private void expire() {
		this.deadline = null;
		ChannelHandlerContext ctx = this.messagesContext;
		if (ctx == null || !ctx.channel().isActive()) {
			return;
		}
		this.expired = true;
		this.onTimeout.run();
		if (log.isDebugEnabled()) {
			log.debug("closing a connection from {}: no whole request head within {} ms", ctx.channel().remoteAddress(),
					this.timeoutMillis);
		}
		if (this.responding) {
			ctx.close();
		}
		else {
			// Straight to the codec, past Reactor Netty's handlers: this connection never had a request for them.
			ctx.writeAndFlush(this.problems.headerTimeout()).addListener(ChannelFutureListener.CLOSE);
		}
	}

}
