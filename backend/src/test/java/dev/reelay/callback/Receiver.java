package dev.reelay.callback;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A client service over real HTTP on loopback: records every request and answers each path from a script (200
 * once the script is used up).
 */
final class Receiver implements AutoCloseable {

	record Received(String path, Map<String, String> headers, byte[] body, Instant at) {

		String header(String name) {
			return this.headers.get(name);
		}

		String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

	private final Map<String, Deque<BiFunction<Received, HttpServerResponse, Publisher<Void>>>> scripts = new ConcurrentHashMap<>();

	private final DisposableServer server;

	Receiver() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> request.receive()
			.aggregate()
			.asByteArray()
			.defaultIfEmpty(new byte[0])
			.flatMap((body) -> {
				Map<String, String> headers = new ConcurrentHashMap<>();
				request.requestHeaders().forEach((entry) -> headers.put(entry.getKey().toLowerCase(), entry.getValue()));
				String path = "/" + strip(request.path());
				Received got = new Received(path, headers, body, Instant.now());
				this.received.add(got);
				return Mono.from(next(path).apply(got, response));
			})).bindNow();
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.server.port() + path;
	}

	int port() {
		return this.server.port();
	}

	/** Answers the next requests to {@code path} with these statuses, in order. */
	Receiver answer(String path, int... statuses) {
		for (int status : statuses) {
			script(path).add((got, response) -> response.status(status).sendString(Mono.just("status " + status)));
		}
		return this;
	}

	Receiver script(String path, BiFunction<Received, HttpServerResponse, Publisher<Void>> answer) {
		script(path).add(answer);
		return this;
	}

	static Publisher<Void> redirect(HttpServerResponse response, String location) {
		return response.status(HttpResponseStatus.FOUND).header("Location", location).send();
	}

	static Publisher<Void> stall(HttpServerResponse response) {
		return Mono.never();
	}

	/** 200 with {@code megabytes} of body, in 64 KB chunks. */
	static Publisher<Void> huge(HttpServerResponse response, int megabytes) {
		byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
		return response.status(200).sendByteArray(Flux.range(0, megabytes * 16).map((i) -> chunk));
	}

	private synchronized Deque<BiFunction<Received, HttpServerResponse, Publisher<Void>>> script(String path) {
		return this.scripts.computeIfAbsent(path, (key) -> new ArrayDeque<>());
	}

	private synchronized BiFunction<Received, HttpServerResponse, Publisher<Void>> next(String path) {
		BiFunction<Received, HttpServerResponse, Publisher<Void>> answer = script(path).poll();
		return (answer != null) ? answer : (got, response) -> response.status(200).sendString(Mono.just("ok"));
	}

	List<Received> at(String path) {
		return this.received.stream().filter((got) -> got.path().equals("/" + strip(path))).toList();
	}

	/** The requests to {@code path} once there are at least {@code count}; an error after {@code within}. */
	List<Received> await(String path, int count, Duration within) {
		return Flux.interval(Duration.ofMillis(25))
			.map((tick) -> at(path))
			.filter((list) -> list.size() >= count)
			.next()
			.timeout(within, Mono.error(() -> new AssertionError(
					"expected " + count + " requests at " + path + " within " + within + "; got " + at(path).size())))
			.block();
	}

	private static String strip(String path) {
		return path.startsWith("/") ? path.substring(1) : path;
	}

	@Override
	public void close() {
		this.server.disposeNow();
	}

}
