package dev.reelay.provider;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.ByteString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A provider's HTTP API played by MockWebServer: scripted answers, recorded requests. */
public final class StandIn implements StandInServer {

	public static final byte[] VIDEO = mp4(96);

	/**
	 * A structurally whole MP4 of exactly {@code length} bytes (at least 40): an {@code ftyp} box, an empty
	 * {@code moov} and an {@code mdat} filled with a pattern. Enough for Reelay's download check; no player needed.
	 */
	public static byte[] mp4(int length) {
		java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(length);
		file.putInt(24).put(ascii("ftyp")).put(ascii("isom")).putInt(0x200).put(ascii("isom")).put(ascii("mp41"));
		file.putInt(8).put(ascii("moov"));
		file.putInt(length - 32).put(ascii("mdat"));
		while (file.hasRemaining()) {
			file.put((byte) (file.position() * 31));
		}
		return file.array();
	}

	private static byte[] ascii(String text) {
		return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
	}

	private static final JsonMapper JSON = JsonMapper.shared();

	private final MockWebServer server = new MockWebServer();

	public StandIn() {
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String url(String path) {
		return url(this.server, path);
	}

	/**
	 * A started server that answers every request with {@code answer}: for stand-ins that keep a ledger and decide each
	 * answer from it, rather than play a script.
	 */
	public static MockWebServer serving(Function<RecordedRequest, MockResponse> answer) {
		MockWebServer server = new MockWebServer();
		server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return answer.apply(request);
			}

		});
		try {
			server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return server;
	}

	/** {@code path} on {@code server}, without the double slash its root URL would give. */
	public static String url(MockWebServer server, String path) {
		String base = server.url("/").toString();
		return base.substring(0, base.length() - 1) + path;
	}

	public void json(int status, String body) {
		this.server.enqueue(new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	public void respond(MockResponse response) {
		this.server.enqueue(response);
	}

	public void video(byte[] bytes) {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "video/mp4")
			.body(new okio.Buffer().write(bytes))
			.build());
	}

	public RecordedRequest take() {
		try {
			RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
			assertThat(request).as("a request reached the stand-in").isNotNull();
			return request;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public int requestCount() {
		return this.server.getRequestCount();
	}

	public static String body(RecordedRequest request) {
		ByteString body = request.getBody();
		return (body != null) ? body.utf8() : "";
	}

	public static JsonNode jsonBody(RecordedRequest request) {
		return JSON.readTree(body(request));
	}

	/** The value of a plain form field in a multipart body. */
	public static String formField(RecordedRequest request, String name) {
		Matcher field = Pattern.compile("name=\"" + Pattern.quote(name) + "\"\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n([^\\r]*)\\r\\n")
			.matcher(body(request));
		assertThat(field.find()).as("multipart field %s", name).isTrue();
		return field.group(1);
	}

	public static ProviderSettings.Instance settings(String family, String baseUrl, List<String> webhookSecrets,
			Map<String, String> options) {
		return settings(family, baseUrl, webhookSecrets, options, Duration.ofSeconds(5));
	}

	public static ProviderSettings.Instance settings(String family, String baseUrl, List<String> webhookSecrets,
			Map<String, String> options, Duration timeout) {
		return new ProviderSettings.Instance(family, baseUrl, "test-key", true, timeout, Duration.ofSeconds(1),
				webhookSecrets, options);
	}

	/** The next answer comes only after a second. */
	@Override
	public void slowly() {
		this.server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS)
			.setHeader("Content-Type", "application/json")
			.body("{}")
			.build());
	}

	/** The timeout an impatient adapter gets: far below {@link #slowly()}. */
	public static final Duration IMPATIENT = Duration.ofMillis(200);

	public static WebClient.Builder webClients() {
		return WebClient.builder();
	}

	/** A base URL on a port where nothing listens. */
	public static String deadUrl() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return "http://127.0.0.1:" + socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.server.close();
	}

}
