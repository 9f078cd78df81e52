package dev.reelay.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import tools.jackson.databind.json.JsonMapper;

/**
 * The RFC 9457 problems the server itself answers, below the web framework: a request head too slow, too long or
 * malformed, and a connection beyond the per-address limit. Rendered once at startup; every answer closes the
 * connection.
 */
final class ConnectionProblems {

	static final String PROBLEM_JSON = "application/problem+json";

	private static final String INVALID = "https://reelay.dev/problems/invalid-request";

	private final byte[] headerTimeout;

	private final byte[] uriTooLong;

	private final byte[] headersTooLarge;

	private final byte[] malformedHead;

	private final byte[] malformedBody;

	private final byte[] tooManyConnections;

	ConnectionProblems(JsonMapper json, ServerSettings settings, int maxInitialLineLength, int maxHeaderSize) {
		this.headerTimeout = render(json, "about:blank", "Request Timeout", 408,
				"The request's headers did not arrive within " + seconds(settings.headerTimeout().toMillis())
						+ ". Send the whole request line and headers at once.");
		this.uriTooLong = render(json, "about:blank", "URI Too Long", 414,
				"The request line (method, path and query) is longer than " + maxInitialLineLength
						+ " bytes. Shorten the URL; larger data goes in the request body.");
		this.headersTooLarge = render(json, "about:blank", "Request Header Fields Too Large", 431,
				"The request headers are larger than " + maxHeaderSize
						+ " bytes in all. Send fewer or shorter headers (large cookies are the usual cause).");
		this.malformedHead = render(json, INVALID, "Invalid request", 400,
				"The request line or a header is not valid HTTP/1.1, so the request cannot be read.");
		this.malformedBody = render(json, INVALID, "Invalid request", 400,
				"The request body's framing (its chunked transfer encoding) is not valid HTTP/1.1, "
						+ "so the request cannot be read.");
		this.tooManyConnections = rawResponse(HttpResponseStatus.TOO_MANY_REQUESTS, render(json, "about:blank",
				"Too Many Requests", 429, "This address already holds " + settings.maxConnectionsPerAddress()
						+ " connections to Reelay, the most one address may hold. Close some, or reuse them."));
	}

	FullHttpResponse headerTimeout() {
		return response(HttpResponseStatus.REQUEST_TIMEOUT, this.headerTimeout);
	}

	/** The body for a request the HTTP decoder refused with {@code status} (414, 431, else 400). */
	byte[] decodingFailure(HttpResponseStatus status, boolean inHead) {
		if (status.code() == 414) {
			return this.uriTooLong;
		}
		if (status.code() == 431) {
			return this.headersTooLarge;
		}
		return inHead ? this.malformedHead : this.malformedBody;
	}

	/** A whole HTTP/1.1 response, as bytes: written before the HTTP codec, on a connection never read from. */
	ByteBuf tooManyConnections() {
		return Unpooled.wrappedBuffer(this.tooManyConnections);
	}

	static FullHttpResponse response(HttpResponseStatus status, byte[] body) {
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		return response;
	}

	private static byte[] render(JsonMapper json, String type, String title, int status, String detail) {
		Map<String, Object> members = new LinkedHashMap<>();
		members.put("type", type);
		members.put("title", title);
		members.put("status", status);
		members.put("detail", detail);
		return json.writeValueAsBytes(members);
	}

	private static byte[] rawResponse(HttpResponseStatus status, byte[] body) {
		String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + PROBLEM_JSON + "\r\nContent-Length: " + body.length
				+ "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
		byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
		byte[] whole = new byte[headBytes.length + body.length];
		System.arraycopy(headBytes, 0, whole, 0, headBytes.length);
		System.arraycopy(body, 0, whole, headBytes.length, body.length);
		return whole;
	}

	private static String seconds(long millis) {
		return (millis % 1000 == 0) ? (millis / 1000) + " seconds" : millis + " ms";
	}

}
