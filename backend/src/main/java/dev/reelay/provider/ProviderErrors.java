package dev.reelay.provider;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/** Classification shared by all families: which HTTP outcomes are worth retrying and after how long. */
public final class ProviderErrors {

	private ProviderErrors() {
	}

	/** The retry policy of the OpenAI SDKs, which most providers share: 408, 409, 429 and 5xx retry. */
	public static ProviderException.Kind kindOf(int status) {
		if (status == 429) {
			return ProviderException.Kind.RATE_LIMITED;
		}
		if (status == 408 || status == 409 || status >= 500) {
			return ProviderException.Kind.RETRYABLE;
		}
		return ProviderException.Kind.PERMANENT;
	}

	/**
	 * The server's requested wait: {@code retry-after-ms}, then {@code Retry-After} as seconds (decimals allowed)
	 * or an HTTP date.
	 */
	public static @Nullable Duration retryAfter(HttpHeaders headers) {
		String millis = headers.getFirst("retry-after-ms");
		if (millis != null) {
			try {
				return Duration.ofMillis((long) Double.parseDouble(millis.trim()));
			}
			catch (NumberFormatException ignored) {
				// fall through to Retry-After
			}
		}
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null) {
			return null;
		}
		try {
			return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
		}
		catch (NumberFormatException notSeconds) {
			try {
				ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
				Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
				return wait.isNegative() ? Duration.ZERO : wait;
			}
			catch (DateTimeParseException unreadable) {
				return null;
			}
		}
	}

	/**
	 * No connection was ever made (refused, no route, unknown host, connect timeout), so no byte of the request
	 * left: unlike a reset or a read timeout, such a create certainly was not accepted.
	 */
	static boolean neverConnected(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException) {
				return true;
			}
		}
		return false;
	}

	/** Connection failures and timeouts: nothing came back, so the request may or may not have taken effect. */
	public static Throwable transportFailure(Throwable error, String provider) {
		if (error instanceof ProviderException) {
			return error;
		}
		if (error instanceof WebClientRequestException && neverConnected(error)) {
			return new ProviderException(ProviderException.Kind.RETRYABLE, ProviderException.NOT_SENT,
					"Could not connect to " + provider + " (" + error.getClass().getSimpleName() + "); nothing was sent",
					0, null, null, error);
		}
		if (error instanceof TimeoutException || error instanceof WebClientRequestException) {
			return new ProviderException(ProviderException.Kind.RETRYABLE, "provider_unreachable",
					"Could not reach " + provider + " (" + error.getClass().getSimpleName() + ")", 0, null, null, error);
		}
		return error;
	}

}
