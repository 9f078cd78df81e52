package dev.reelay.web;

import io.netty.handler.timeout.ReadTimeoutException;

import org.springframework.web.reactive.function.client.WebClientException;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Errors that are the client's doing, not the server's: a client that closed or reset its connection mid-request
 * (Reactor Netty's {@code AbortedException}, "Connection reset by peer", "Broken pipe"), and a request body that
 * stopped arriving. The same errors from Reelay's own outbound calls (a provider that hung up) are not the
 * client's, and stay server errors.
 */
final class ClientAborts {

	private ClientAborts() {
	}

	/** Spring's own test, which looks through the causes and leaves outbound calls' failures out. */
	static boolean isClientGone(Throwable error) {
		return DisconnectedClientHelper.isClientDisconnectedException(error);
	}

	/** The server's read timeout on a request body ({@code reelay.server.body-idle-timeout}). */
	static boolean isBodyTimeout(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof WebClientException) {
				return false;
			}
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
