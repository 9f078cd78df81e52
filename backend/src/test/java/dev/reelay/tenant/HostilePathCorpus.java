package dev.reelay.tenant;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spellings a hostile client uses to make a path look different to the gate than to the router, applied to every
 * segment of every route the application serves (read from the router itself, so a new route is covered the day it
 * is added): matrix parameters, percent-encoded letters, encoded slashes and dots, dot segments, doubled slashes.
 * Requests are written on raw sockets, so the path goes on the wire exactly as written.
 */
abstract class HostilePathCorpus {

	/** How a spelling must be answered: refused by the firewall, or judged by the gate on the decoded path. */
	enum Kind {

		/** Ambiguous between layers: refused outright with 400. */
		REFUSED,

		/** Unambiguous once decoded: the gate must see the route it really is. */
		DECODED

	}

	record Probe(String name, HttpMethod method, String rawPath, String route, Kind kind) {

		boolean admin() {
			return RoutedPath.isUnder(this.route, "/api/v1/admin");
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	record Answer(int status, @Nullable String contentType, String body) {
	}

	private static final Duration WAIT = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	DatabaseClient db;

	@Autowired
	JsonMapper json;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	/** Every route under {@code prefix}, with each path variable filled in, as "METHOD /path". */
	List<Map.Entry<HttpMethod, String>> routes(String prefix) {
		List<Map.Entry<HttpMethod, String>> routes = new ArrayList<>();
		Set<String> seen = new TreeSet<>();
		for (RequestMappingInfo info : this.mappings.getHandlerMethods().keySet()) {
			Set<org.springframework.web.bind.annotation.RequestMethod> methods = info.getMethodsCondition().getMethods();
			for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
				String path = pattern.getPatternString().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
				if (!RoutedPath.isUnder(path, prefix)) {
					continue;
				}
				for (var method : methods.isEmpty() ? Set.of(org.springframework.web.bind.annotation.RequestMethod.GET)
						: methods) {
					if (seen.add(method + " " + pattern.getPatternString())) {
						routes.add(Map.entry(HttpMethod.valueOf(method.name()), path));
					}
				}
			}
		}
		assertThat(routes).as("routes under %s", prefix).isNotEmpty();
		return routes;
	}

	/** The hostile spellings of one route: one per segment and trick. */
	static Stream<Probe> spellings(HttpMethod method, String path) {
		List<Probe> probes = new ArrayList<>();
		String[] segments = path.substring(1).split("/");
		for (int i = 0; i < segments.length; i++) {
			String segment = segments[i];
			String label = method + " " + path + " [segment " + i + "] ";
			probes.add(probe(label + "matrix parameter", method, replace(segments, i, segment + ";x=1"), path,
					Kind.REFUSED));
			probes.add(probe(label + "empty matrix", method, replace(segments, i, segment + ";"), path, Kind.REFUSED));
			probes.add(probe(label + "first letter encoded", method, replace(segments, i, encodeFirst(segment)), path,
					Kind.DECODED));
			// An encoded '.' is one of the firewall's refusals (it could make a dot segment after decoding).
			probes.add(probe(label + "every letter encoded", method, replace(segments, i, encodeAll(segment)), path,
					segment.contains(".") ? Kind.REFUSED : Kind.DECODED));
			probes.add(probe(label + "dot segment before", method, replace(segments, i, "./" + segment), path,
					Kind.REFUSED));
			probes.add(probe(label + "parent segment before", method, replace(segments, i, "x/../" + segment), path,
					Kind.REFUSED));
			probes.add(probe(label + "doubled slash", method, replace(segments, i, "/" + segment), path,
					Kind.REFUSED));
			if (i > 0) {
				probes.add(probe(label + "encoded slash", method, joinWithEncodedSlashAt(segments, i), path,
						Kind.REFUSED));
			}
			probes.add(probe(label + "encoded dot segment", method, replace(segments, i, "%2e/" + segment), path,
					Kind.REFUSED));
		}
		return probes.stream();
	}

	private static Probe probe(String name, HttpMethod method, String raw, String route, Kind kind) {
		return new Probe(name + " " + raw, method, raw, route, kind);
	}

	private static String replace(String[] segments, int index, String replacement) {
		StringBuilder path = new StringBuilder();
		for (int i = 0; i < segments.length; i++) {
			path.append('/').append((i == index) ? replacement : segments[i]);
		}
		return path.toString();
	}

	private static String joinWithEncodedSlashAt(String[] segments, int index) {
		StringBuilder path = new StringBuilder();
		for (int i = 0; i < segments.length; i++) {
			path.append((i == index) ? "%2F" : "/").append(segments[i]);
		}
		return path.toString();
	}

	private static String encodeFirst(String segment) {
		return "%" + Integer.toHexString(segment.charAt(0)) + segment.substring(1);
	}

	private static String encodeAll(String segment) {
		StringBuilder encoded = new StringBuilder();
		for (char c : segment.toCharArray()) {
			encoded.append('%').append(Integer.toHexString(c).toUpperCase());
		}
		return encoded.toString();
	}

	/**
	 * One request on its own connection, written byte for byte as given (no client library normalizes the path), read
	 * to the end. A fresh connection per request also keeps one answer's fate from deciding the next one's.
	 */
	Answer send(HttpMethod method, String rawPath, @Nullable String bearer) {
		boolean withBody = !(method == HttpMethod.GET || method == HttpMethod.DELETE);
		byte[] body = withBody ? "{\"name\":\"intruder\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
		StringBuilder head = new StringBuilder().append(method.name()).append(' ').append(rawPath).append(" HTTP/1.1\r\n")
			.append("Host: 127.0.0.1:").append(this.port).append("\r\n")
			.append("Connection: close\r\n")
			.append("Accept: application/json, application/problem+json\r\n");
		if (withBody) {
			head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
		}
		if (bearer != null) {
			head.append("Authorization: Bearer ").append(bearer).append("\r\n");
		}
		head.append("\r\n");
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), (int) WAIT.toMillis());
			socket.setSoTimeout((int) WAIT.toMillis());
			// Head and body in one write: a server that refuses after the head and closes would otherwise reset the
			// connection on the body still arriving, and the answer would be lost to the reset.
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
			request.writeBytes(body);
			OutputStream out = socket.getOutputStream();
			out.write(request.toByteArray());
			out.flush();
			return parse(method + " " + rawPath, socket.getInputStream().readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(method + " " + rawPath + ": " + ex.getMessage(), ex);
		}
	}

	private static Answer parse(String request, byte[] raw) {
		String text = new String(raw, StandardCharsets.UTF_8);
		int end = text.indexOf("\r\n\r\n");
		assertThat(end).as("a complete answer to %s, got %s", request, text).isPositive();
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		String contentType = null;
		boolean chunked = false;
		for (String line : lines) {
			String lower = line.toLowerCase(java.util.Locale.ROOT);
			if (lower.startsWith("content-type:")) {
				contentType = line.substring(13).strip();
			}
			if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
		}
		String body = text.substring(end + 4);
		return new Answer(status, contentType, chunked ? dechunk(body) : body);
	}

	private static String dechunk(String chunked) {
		StringBuilder body = new StringBuilder();
		int at = 0;
		while (at < chunked.length()) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
			if (size == 0) {
				break;
			}
			// Sizes count bytes; the problem bodies checked here are ASCII, so characters and bytes agree.
			body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
		return body.toString();
	}

	void assertProblem(Probe probe, Answer answer, int... allowed) {
		assertThat(answer.status()).as("status of %s (body %s)", probe, answer.body()).isIn(box(allowed));
		assertThat(answer.contentType()).as("content type of %s", probe).isNotNull();
		assertThat(MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(MediaType.parseMediaType(answer.contentType())))
			.as("a problem document for %s, got %s: %s", probe, answer.contentType(), answer.body())
			.isTrue();
		Map<?, ?> problem = this.json.readValue(answer.body(), Map.class);
		assertThat(problem.get("status")).isEqualTo(answer.status());
	}

	/** An error of the OpenAI-compatible API ({@code /v1}): OpenAI's shape, not a problem. */
	void assertOpenAiError(Probe probe, Answer answer, int... allowed) {
		assertThat(answer.status()).as("status of %s (body %s)", probe, answer.body()).isIn(box(allowed));
		assertThat(answer.contentType()).as("content type of %s", probe).isNotNull();
		assertThat(MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(answer.contentType())))
			.as("JSON for %s, got %s: %s", probe, answer.contentType(), answer.body())
			.isTrue();
		Map<?, ?> error = (Map<?, ?>) this.json.readValue(answer.body(), Map.class).get("error");
		assertThat(error).as("OpenAI's error envelope for %s: %s", probe, answer.body()).isNotNull();
		assertThat(error.get("message")).isInstanceOf(String.class);
		assertThat(error.get("type")).isInstanceOf(String.class);
		assertThat(error.containsKey("param") && error.containsKey("code")).as("param and code in %s", answer.body()).isTrue();
	}

	/** Rows that only the API writes: tenants, keys, jobs, budgets, callback settings (and their secrets). */
	String rowCounts() {
		return this.db
			.sql("SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM api_keys) AS keys, "
					+ "(SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM budget_limits) AS budgets, "
					+ "(SELECT coalesce(string_agg(md5(secret), ',' ORDER BY tenant_id), '') FROM callback_settings) "
					+ "AS secrets")
			.map((row) -> "tenants=" + row.get("tenants") + " keys=" + row.get("keys") + " jobs=" + row.get("jobs")
					+ " budgets=" + row.get("budgets") + " secrets=" + row.get("secrets"))
			.one()
			.block(WAIT);
	}

	private static Integer[] box(int[] values) {
		Integer[] boxed = new Integer[values.length];
		for (int i = 0; i < values.length; i++) {
			boxed[i] = values[i];
		}
		return boxed;
	}

}
