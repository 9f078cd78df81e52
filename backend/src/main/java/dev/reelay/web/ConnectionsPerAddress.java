package dev.reelay.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open connections per client address (the TCP peer: behind a reverse proxy, the proxy), at most {@code limit} at
 * once. A connection beyond the limit is answered 429 at once and closed, without its request being read: turning
 * it away costs next to nothing, which is the point when one address opens thousands. A client that already sent
 * its request may see the connection reset instead of the answer. The map holds only addresses with connections
 * open, so its size is bounded by the connections themselves.
 */
final class ConnectionsPerAddress {

	private static final Logger log = LoggerFactory.getLogger(ConnectionsPerAddress.class);

	private final int limit;

	private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

	ConnectionsPerAddress(int limit) {
		this.limit = limit;
	}

	/**
	 * Counts the new connection against its address, releasing it when the connection closes; true if it is within
	 * the limit. A connection whose address is not an IP one (a Unix socket) is not counted.
	 */
	boolean admit(Channel channel, @Nullable SocketAddress remote) {
		if (!(remote instanceof InetSocketAddress socket) || socket.getAddress() == null) {
			return true;
		}
		InetAddress address = socket.getAddress();
		int[] count = new int[1];
		this.open.compute(address, (key, current) -> {
			AtomicInteger counter = (current != null) ? current : new AtomicInteger();
			count[0] = counter.incrementAndGet();
			return counter;
		});
		channel.closeFuture().addListener((closed) -> release(address));
		if (count[0] > this.limit) {
			if (log.isDebugEnabled()) {
				log.debug("refusing a connection from {}: it already holds {} connections", address, this.limit);
			}
			return false;
		}
		return true;
	}

	int open(InetAddress address) {
		AtomicInteger count = this.open.get(address);
		return (count != null) ? count.get() : 0;
	}

	private void release(InetAddress address) {
		this.open.computeIfPresent(address, (key, count) -> (count.decrementAndGet() <= 0) ? null : count);
	}

	/**
	 * First in the pipeline of a refused connection: writes the 429 as soon as the connection is active, drops
	 * whatever the client sends, and closes once the answer is out.
	 */
	static ChannelInboundHandlerAdapter refusal(ConnectionProblems problems) {
		return new ChannelInboundHandlerAdapter() {

			private boolean answered;

			@Override
			public void handlerAdded(ChannelHandlerContext ctx) {
				if (ctx.channel().isActive()) {
					answer(ctx);
				}
			}

			@Override
			public void channelActive(ChannelHandlerContext ctx) {
				answer(ctx);
			}

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				ReferenceCountUtil.release(msg);
			}

			private void answer(ChannelHandlerContext ctx) {
				if (!this.answered) {
					this.answered = true;
					ByteBuf answer = problems.tooManyConnections();
					ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
				}
			}

		};
	}

}
