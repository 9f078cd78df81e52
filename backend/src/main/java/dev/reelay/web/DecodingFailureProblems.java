package dev.reelay.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Gives Reactor Netty's answers to requests the HTTP decoder could not read (414 request line too long, 431 headers
 * too large, 400 malformed) a problem body in plain words; Reactor Netty sends them empty. Sits right after the
 * codec: it sees the failed message go in, and the empty full response Reactor Netty writes for it go out, which
 * it replaces. Responses the application writes are never empty problems, so they pass untouched.
 */
final class DecodingFailureProblems extends ChannelDuplexHandler {

	private final ConnectionProblems problems;

	// Set when a decoded message carries a failure: the next empty 4xx full response is Reactor Netty's answer to it.
	private boolean failed;

	private boolean failedInHead;

	DecodingFailureProblems(ConnectionProblems problems) {
		this.problems = problems;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure()) {
			this.failed = true;
			this.failedInHead = msg instanceof HttpRequest;
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (this.failed && msg instanceof FullHttpResponse response && !response.content().isReadable()
				&& isDecoderStatus(response.status().code())) {
			this.failed = false;
			byte[] body = this.problems.decodingFailure(response.status(), this.failedInHead);
			// Reactor Netty's answer has no header but its length and Connection: close, which the problem keeps.
			response.release();
			ctx.write(ConnectionProblems.response(response.status(), body), promise);
			return;
		}
		ctx.write(msg, promise);
	}

	private static boolean isDecoderStatus(int status) {
		return status == 400 || status == 414 || status == 431;
	}

}
