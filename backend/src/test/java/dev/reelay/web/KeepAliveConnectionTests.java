package dev.reelay.web;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Many requests, one after another, over one HTTP/1.1 keep-alive connection, alternating between requests the
 * server answers on the spot (a 404) and requests it answers later on another thread (a static file, the model
 * catalog): every one must be answered. Reactor Netty 1.3.6 and 1.3.7 sometimes stopped reading such a connection
 * after answering a request it had queued, so a few percent of requests got no answer at all (reactor/reactor-netty
 * #4361); see the reactor-bom and netty versions in the parent POM.
 *
 * <p>
 * A raw socket rather than an HTTP client: it cannot quietly open a second connection or retry, so what is measured
 * is exactly one connection being reused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeepAliveConnectionTests {

	/** The defect showed in about one request in thirty; this many makes missing it vanishingly unlikely. */
	private static final int REQUESTS = 600;

	/** Far more than any of these requests takes even on a loaded machine; a hung request never ends. */
	private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

	private static final List<Exchange> ROUND = List.of(new Exchange("/no-such-page", 404),
			new Exchange("/js/api.js", 200), new Exchange("/no-such-page", 404), new Exchange("/api/v1/models", 200));

	@LocalServerPort
	private int port;

	@Test
	void answersEveryRequestOnAReusedConnection() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (int i = 0; i < REQUESTS; i++) {
				Exchange exchange = ROUND.get(i % ROUND.size());
				out.write(("GET " + exchange.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
						+ "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				Response response;
				try {
					response = readResponse(in);
				}
				catch (SocketTimeoutException ex) {
					fail("Request %d of %d (GET %s) got no answer within %s on the reused connection", i + 1, REQUESTS,
							exchange.path(), ANSWER_WITHIN);
					return;
				}
				assertThat(response.status()).as("status of request %d (GET %s)", i + 1, exchange.path())
					.isEqualTo(exchange.status());
				assertThat(response.closes()).as("request %d (GET %s) closed the connection", i + 1, exchange.path())
					.isFalse();
			}
		}
	}

	/** Reads one whole response (status line, headers, and a Content-Length or chunked body). */
	private static Response readResponse(InputStream in) throws IOException {
		String statusLine = line(in);
		int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
		long length = -1;
		boolean chunked = false;
		boolean closes = false;
		for (String header = line(in); !header.isEmpty(); header = line(in)) {
			int colon = header.indexOf(':');
			String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
			switch (name) {
				case "content-length" -> length = Long.parseLong(value);
				case "transfer-encoding" -> chunked = value.contains("chunked");
				case "connection" -> closes = value.contains("close");
				default -> {
				}
			}
		}
		if (chunked) {
			for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
				skip(in, size);
				line(in);
			}
			// Trailers, if any, end with an empty line.
			for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
				// nothing to keep
			}
		}
		else {
			assertThat(length).as("Content-Length of a %d response", status).isNotNegative();
			skip(in, length);
		}
		return new Response(status, closes);
	}

	private static int chunkSize(InputStream in) throws IOException {
		String size = line(in);
		int extension = size.indexOf(';');
		return Integer.parseInt((extension < 0) ? size.trim() : size.substring(0, extension).trim(), 16);
	}

	private static void skip(InputStream in, long count) throws IOException {
		byte[] buffer = new byte[8192];
		long left = count;
		while (left > 0) {
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
			if (read < 0) {
				throw new EOFException("The server closed the connection in the middle of a response");
			}
			left -= read;
		}
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c != '\n'; c = in.read()) {
			if (c < 0) {
				throw new EOFException("The server closed the connection; read so far: " + line);
			}
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

	private record Exchange(String path, int status) {
	}

	private record Response(int status, boolean closes) {
	}

}
