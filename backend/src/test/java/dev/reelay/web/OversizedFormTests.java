package dev.reelay.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A multipart create with a field of several MB is answered 413 and the rest of its body read and dropped (Reactor
 * Netty keeps the connection and discards what follows), so that a client that sends its whole request before it
 * reads the answer (as most HTTP clients do) gets the 413 rather than a reset connection ({@code BadInputCorpusTests}
 * once saw "connection reset" under load). Closing with the body unread would reset it. Raw sockets first: an HTTP
 * client could hide a reset behind a retry.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "reelay.dispatch.enabled=false")
class OversizedFormTests {

	private static final String BOUNDARY = "oversized-form-boundary";

	/** Far over the 1 MB a form field may hold: most of it arrives after the server has answered. */
	private static final int FIELD = 8 * 1024 * 1024;

	private static final int CLIENTS = 4;

	private static final int ROUNDS = 2;

	private static final Duration ANSWER_WITHIN = Duration.ofSeconds(60);

	@LocalServerPort
	private int port;

	@Test
	void aFormWithAFieldOfSeveralMegabytesIsAnswered413AfterItsWholeBodyWasSent() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try {
			for (int round = 0; round < ROUNDS; round++) {
				List<CompletableFuture<String>> answers = IntStream.range(0, CLIENTS)
					.mapToObj((i) -> CompletableFuture.supplyAsync(this::sendWholeThenRead, clients))
					.toList();
				for (CompletableFuture<String> answer : answers) {
					assertThat(answer.get(ANSWER_WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
						.startsWith("HTTP/1.1 413");
				}
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

	/** The same form as an HTTP client sends it (chunked, as BadInputCorpusTests does), many times at once. */
	@Test
	void anHttpClientSendingAFormWithAFieldOfTwoMegabytesGets413EveryTime() {
		org.springframework.web.reactive.function.client.WebClient client = org.springframework.web.reactive.function.client.WebClient
			.builder()
			.baseUrl("http://localhost:" + this.port)
			.build();
		List<String> answers = reactor.core.publisher.Flux.range(0, 24)
			.flatMap((i) -> {
				org.springframework.http.client.MultipartBodyBuilder form = new org.springframework.http.client.MultipartBodyBuilder();
				form.part("prompt", "a cat");
				form.part("negative_prompt", "b".repeat(2 * 1024 * 1024));
				return client.post()
					.uri("/api/v1/jobs")
					.contentType(org.springframework.http.MediaType.MULTIPART_FORM_DATA)
					.body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(form.build()))
					.exchangeToMono((response) -> response.releaseBody()
						.thenReturn(String.valueOf(response.statusCode().value())))
					.onErrorResume((error) -> reactor.core.publisher.Mono.just("no answer: " + error));
			}, 8)
			.collectList()
			.block(Duration.ofMinutes(3));
		assertThat(answers).hasSize(24).containsOnly("413");
	}

	/** Sends the whole request, then reads the status line: what the server answered, or why nothing came. */
	private String sendWholeThenRead() {
		byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat\r\n--"
				+ BOUNDARY + "\r\nContent-Disposition: form-data; name=\"negative_prompt\"\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
		long length = head.length + (long) FIELD + tail.length;
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
					+ "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + length
					+ "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(head);
			byte[] chunk = new byte[64 * 1024];
			java.util.Arrays.fill(chunk, (byte) 'b');
			for (int sent = 0; sent < FIELD; sent += chunk.length) {
				out.write(chunk, 0, Math.min(chunk.length, FIELD - sent));
			}
			out.write(tail);
			out.flush();
			return statusLine(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			return "no answer: " + ex;
		}
	}

	private static String statusLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
			line.write(b);
		}
		return line.toString(StandardCharsets.US_ASCII).trim();
	}

}
