package dev.reelay.web;

import java.nio.channels.ClosedChannelException;

import io.netty.handler.timeout.ReadTimeoutException;

import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Errors that are the client's doing, not the server's: a client that closed or reset its connection mid-request
 * (Reactor Netty's {@code AbortedException}, "Connection reset by peer", "Broken pipe"), and a request body that
 * stopped arriving. Looked for anywhere in the cause chain, since decoders wrap what the body stream reported.
 */
final class ClientAborts {

	private ClientAborts() {
	}

	static boolean isClientGone(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (DisconnectedClientHelper.isClientDisconnectedException(current)
					|| current instanceof ClosedChannelException) {
				return true;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

	static boolean isBodyTimeout(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof ReadTimeoutException) {
				return true;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

}
