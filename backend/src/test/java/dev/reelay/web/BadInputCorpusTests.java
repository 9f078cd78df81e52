package dev.reelay.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of malformed requests, sent over HTTP to the running application: every one must be answered with a
 * 4xx RFC 9457 problem (naming the field at fault where there is one), and none may write a row.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputCorpusTests {

	private static final String JOBS = "/api/v1/jobs";

	/** What a problem's detail must never show: class and package names, library settings, parser positions. */
	private static final String INTERNALS = "dev\\.reelay|java\\.(lang|time|util)|tools\\.jackson|com\\.fasterxml"
			+ "|[A-Z][a-z]+(Exception|Config|Constraints|Feature)\\b|\\[Source:|reference chain|\\bclass\\b";

	private static final UUID SOME_ID = UUID.fromString("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b");

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JsonMapper json;

	@ParameterizedTest(name = "{0}")
	@MethodSource("corpus")
	void isRefusedWithAProblemAndNothingStored(BadRequest bad) {
		String before = rowCounts();
		Answer answer = send(bad);
		assertThat(answer.status()).as("status of %s (body %s)", bad, answer.body()).isEqualTo(bad.status());
		assertThat(answer.contentType()).as("content type").isNotNull();
		assertThat(MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(MediaType.parseMediaType(answer.contentType())))
			.as("a problem document, got %s: %s", answer.contentType(), answer.body())
			.isTrue();
		Map<?, ?> problem = this.json.readValue(answer.body(), Map.class);
		assertThat(problem.get("status")).isEqualTo(bad.status());
		assertThat(problem.get("detail")).as("detail").isInstanceOf(String.class);
		assertThat((String) problem.get("detail")).as("plain words in the detail of %s", bad)
			.doesNotContainPattern(INTERNALS);
		if (bad.detail() != null) {
			assertThat((String) problem.get("detail")).as("detail of %s", bad).contains(bad.detail());
		}
		if (bad.field() != null) {
			assertThat(problem.get("field")).as("field of %s: %s", bad, answer.body()).isEqualTo(bad.field());
		}
		assertThat(rowCounts()).as("rows after %s", bad).isEqualTo(before);
	}

	/**
	 * The sign-in form's {@code next} is followed only when it is a plain local path: anything a browser could read
	 * as another site (tabs and line breaks are dropped by browsers, a backslash counts as a slash) or that could
	 * split the Location header goes to {@code /} instead.
	 */
	@ParameterizedTest(name = "next={0}")
	@org.junit.jupiter.params.provider.ValueSource(strings = { "/\t/evil.example", "/\r\nSet-Cookie: a=b",
			"/%09/evil.example", "/%5Cevil.example", "/%2F/evil.example", "/\u00a0/evil.example", "https://evil.example/",
			"//evil.example", "/%0d%0aSet-Cookie:%20a=b" })
	void signInSendsOnlyToPlainLocalPaths(String next) {
		assertThat(signInRedirect(next)).isEqualTo("/");
	}

	@org.junit.jupiter.api.Test
	void signInFollowsAPlainLocalPath() {
		assertThat(signInRedirect("/jobs/" + SOME_ID + "?tab=events")).isEqualTo("/jobs/" + SOME_ID + "?tab=events");
	}

	private String signInRedirect(String next) {
		String form = "next=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8) + "&key=x";
		Answer answer = send(raw("sign-in", HttpMethod.POST, "/signin", MediaType.APPLICATION_FORM_URLENCODED,
				form.getBytes(StandardCharsets.UTF_8), 303, null));
		assertThat(answer.status()).as("status for next=%s: %s", next, answer.body()).isBetween(300, 399);
		return answer.location();
	}

	static Stream<Named<BadRequest>> corpus() {
		List<BadRequest> corpus = new ArrayList<>();
		// The JSON document itself
		corpus.add(json("empty body", JOBS, "", 400, null));
		corpus.add(json("truncated JSON", JOBS, "{\"prompt\": \"a cat\"", 400, null));
		corpus.add(json("an array, not an object", JOBS, "[\"a cat\"]", 400, null));
		corpus.add(json("a bare string", JOBS, "\"a cat\"", 400, null));
		corpus.add(json("JSON null", JOBS, "null", 400, null));
		corpus.add(json("trailing garbage after the object", JOBS, "{\"prompt\": \"a cat\"} {}", 400, null));
		corpus.add(json("a field given twice", JOBS, "{\"prompt\": \"a cat\", \"prompt\": \"a dog\"}", 400, "prompt"));
		corpus.add(json("a field of a batch job given twice", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"1\"}, {\"prompt\": \"2\", \"seed\": 1, \"seed\": 2}]}", 400, "jobs[1].seed"));
		corpus.add(json("NaN as the seed", JOBS, "{\"prompt\": \"a cat\", \"seed\": NaN}", 400, "seed"));
		corpus.add(raw("a lone surrogate in raw UTF-8 bytes", HttpMethod.POST, JOBS, MediaType.APPLICATION_JSON,
				utf8Json("{\"prompt\": \"a cat", new byte[] { (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, "\"}"), 400,
				null));
		corpus.add(raw("an overlong UTF-8 encoding of '/'", HttpMethod.POST, JOBS, MediaType.APPLICATION_JSON,
				utf8Json("{\"prompt\": \"a cat", new byte[] { (byte) 0xe0, (byte) 0x80, (byte) 0xaf }, "\"}"), 400,
				null));
		corpus.add(raw("a two-byte overlong UTF-8 encoding", HttpMethod.POST, JOBS, MediaType.APPLICATION_JSON,
				utf8Json("{\"prompt\": \"a cat", new byte[] { (byte) 0xc0, (byte) 0xaf }, "\"}"), 400, null));
		corpus.add(json("a lone surrogate as a JSON escape", JOBS, "{\"prompt\": \"a cat \\ud800\"}", 400, "prompt"));
		corpus.add(json("a reversed surrogate pair as JSON escapes", JOBS + "/estimate",
				"{\"prompt\": \"a cat \\udc00\\ud800\"}", 400, "prompt"));
		corpus.add(json("an unknown field", JOBS, "{\"prompt\": \"a cat\", \"colour\": \"red\"}", 400, "colour"));
		corpus.add(json("camelCase instead of snake_case", JOBS, "{\"prompt\": \"a cat\", \"durationSeconds\": 8}", 400,
				"durationSeconds"));
		corpus.add(json("nesting 2,000 deep", JOBS, "{\"prompt\": " + "[".repeat(2000) + "]".repeat(2000) + "}", 400,
				null));
		corpus.add(json("a 2,000-digit number", JOBS, "{\"prompt\": \"a\", \"seed\": " + "9".repeat(2000) + "}", 400,
				null));
		corpus.add(json("a body over the size limit", JOBS, "{\"prompt\": \"" + "a".repeat(300 * 1024) + "\"}", 413,
				null));
		corpus.add(raw("invalid UTF-8", HttpMethod.POST, JOBS, MediaType.APPLICATION_JSON,
				new byte[] { '{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}' },
				400, null));
		// The prompt
		corpus.add(json("no prompt", JOBS, "{\"duration_seconds\": 8}", 400, "prompt"));
		corpus.add(json("a blank prompt", JOBS, "{\"prompt\": \"   \\n\\t \"}", 400, "prompt"));
		corpus.add(json("a prompt as a number", JOBS, "{\"prompt\": 42}", 400, "prompt"));
		corpus.add(json("a prompt as an object", JOBS, "{\"prompt\": {\"text\": \"a cat\"}}", 400, "prompt"));
		corpus.add(json("a prompt as a list", JOBS, "{\"prompt\": [\"a cat\"]}", 400, "prompt"));
		corpus.add(json("a prompt as a boolean", JOBS, "{\"prompt\": true}", 400, "prompt"));
		corpus.add(json("a prompt longer than the model takes", JOBS,
				"{\"prompt\": \"" + "a".repeat(32_001) + "\"}", 400, "prompt"));
		corpus.add(json("a NUL in the prompt", JOBS, "{\"prompt\": \"a cat\\u0000\"}", 400, "prompt"));
		corpus.add(json("an escape character in the prompt", JOBS, "{\"prompt\": \"a \\u001b[31mred\\u001b[0m cat\"}",
				400, "prompt"));
		corpus.add(json("a negative prompt longer than the model takes", JOBS,
				"{\"prompt\": \"a cat\", \"negative_prompt\": \"" + "b".repeat(32_001) + "\"}", 400, "negative_prompt"));
		// Model and shape
		corpus.add(json("a model not in the catalog", JOBS, "{\"prompt\": \"a cat\", \"model\": \"nope\"}", 400,
				"model"));
		corpus.add(json("a retired model", JOBS, "{\"prompt\": \"a cat\", \"model\": \"sora-2\"}", 400, "model"));
		corpus.add(json("a model whose provider has no key", JOBS, "{\"prompt\": \"a cat\", \"model\": \"veo-3.1-vertex\"}",
				400, "model"));
		corpus.add(json("a model as a number", JOBS, "{\"prompt\": \"a cat\", \"model\": 7}", 400, "model"));
		corpus.add(json("a duration the model does not make", JOBS, "{\"prompt\": \"a cat\", \"duration_seconds\": 7}",
				400, "duration_seconds"));
		corpus.add(json("a negative duration", JOBS, "{\"prompt\": \"a cat\", \"duration_seconds\": -8}", 400,
				"duration_seconds"));
		corpus.add(json("a fractional duration", JOBS, "{\"prompt\": \"a cat\", \"duration_seconds\": 8.5}", 400,
				"duration_seconds"));
		corpus.add(json("a duration as text", JOBS, "{\"prompt\": \"a cat\", \"duration_seconds\": \"8\"}", 400,
				"duration_seconds"));
		corpus.add(json("a duration past the integer range", JOBS,
				"{\"prompt\": \"a cat\", \"duration_seconds\": 99999999999}", 400, "duration_seconds"));
		corpus.add(json("an aspect ratio the model does not make", JOBS,
				"{\"prompt\": \"a cat\", \"aspect_ratio\": \"21:9\"}", 400, "aspect_ratio"));
		corpus.add(json("an aspect ratio as a number", JOBS, "{\"prompt\": \"a cat\", \"aspect_ratio\": 1.78}", 400,
				"aspect_ratio"));
		corpus.add(json("a resolution the model does not make", JOBS, "{\"prompt\": \"a cat\", \"resolution\": \"8k\"}",
				400, "resolution"));
		corpus.add(json("a seed as text", JOBS, "{\"prompt\": \"a cat\", \"seed\": \"lucky\"}", 400, "seed"));
		corpus.add(json("a seed past the long range", JOBS, "{\"prompt\": \"a cat\", \"seed\": 1e30}", 400, "seed"));
		corpus.add(json("an image that is not a URL", JOBS, "{\"prompt\": \"a cat\", \"image\": \"not a url\"}", 400,
				"image"));
		corpus.add(json("an image URL with another scheme", JOBS,
				"{\"prompt\": \"a cat\", \"image\": \"ftp://example.com/cat.png\"}", 400, "image"));
		corpus.add(json("an image URL that is too long", JOBS,
				"{\"prompt\": \"a cat\", \"image\": \"https://example.com/" + "a".repeat(10_000) + "\"}", 400, "image"));
		corpus.add(json("remix_of that is not an id", JOBS, "{\"prompt\": \"a cat\", \"remix_of\": \"job-1\"}", 400,
				"remix_of"));
		corpus.add(json("remix_of a job that does not exist", JOBS,
				"{\"prompt\": \"a cat\", \"remix_of\": \"" + UUID.randomUUID() + "\"}", 400, "remix_of"));
		corpus.add(json("a priority out of range", JOBS, "{\"prompt\": \"a cat\", \"priority\": 1000}", 400,
				"priority"));
		corpus.add(json("a priority as a word", JOBS, "{\"prompt\": \"a cat\", \"priority\": \"high\"}", 400,
				"priority"));
		corpus.add(json("a priority as the word low", JOBS, "{\"prompt\": \"a cat\", \"priority\": \"low\"}", 400,
				"priority").withDetail("Field 'priority' must be a whole number"));
		corpus.add(json("a prompt as a number says it must be text", JOBS, "{\"prompt\": 42}", 400, "prompt")
			.withDetail("Field 'prompt' must be text"));
		corpus.add(json("remix_of as a number says it must be a job id", JOBS,
				"{\"prompt\": \"a cat\", \"remix_of\": 7}", 400, "remix_of").withDetail("Field 'remix_of' must be"));
		corpus.add(json("a duration past the integer range says so", JOBS,
				"{\"prompt\": \"a cat\", \"duration_seconds\": 99999999999}", 400, "duration_seconds")
			.withDetail("Field 'duration_seconds' is out of range"));
		corpus.add(json("not_before as a number (a timestamp is a string)", JOBS,
				"{\"prompt\": \"a cat\", \"not_before\": 1767225600}", 400, "not_before"));
		corpus.add(json("not_before in year 0", JOBS, "{\"prompt\": \"a cat\", \"not_before\": \"0000-01-01T00:00:00Z\"}",
				400, "not_before"));
		corpus.add(json("not_before in year -999999999", JOBS,
				"{\"prompt\": \"a cat\", \"not_before\": \"-999999999-01-01T00:00:00Z\"}", 400, "not_before"));
		corpus.add(json("an estimate with not_before in year 0", JOBS + "/estimate",
				"{\"prompt\": \"a cat\", \"not_before\": \"0000-01-01T00:00:00Z\"}", 400, "not_before"));
		corpus.add(json("not_before that is not an instant", JOBS, "{\"prompt\": \"a cat\", \"not_before\": \"tonight\"}",
				400, "not_before"));
		corpus.add(json("not_before years ahead", JOBS,
				"{\"prompt\": \"a cat\", \"not_before\": \"2099-01-01T00:00:00Z\"}", 400, "not_before"));
		// Outbound webhooks and prices
		corpus.add(json("a callback URL to the cloud metadata address", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"https://169.254.169.254/latest/meta-data\"}", 400,
				"callback_url"));
		corpus.add(json("a callback URL with a password in it", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"https://me:secret@hooks.example.com/reelay\"}", 400,
				"callback_url"));
		corpus.add(json("a callback URL that is not http", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"gopher://hooks.example.com/\"}", 400, "callback_url"));
		corpus.add(json("a callback URL to metadata.google.internal", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"https://metadata.google.internal/computeMetadata/v1/\"}",
				400, "callback_url"));
		corpus.add(json("a callback URL to the bare name metadata", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"https://metadata./computeMetadata/v1/\"}", 400,
				"callback_url"));
		corpus.add(json("a callback URL to instance-data", JOBS,
				"{\"prompt\": \"a cat\", \"callback_url\": \"https://INSTANCE-DATA/latest/meta-data\"}", 400,
				"callback_url"));
		corpus.add(put("a default callback URL to metadata.goog", "/api/v1/callbacks/settings",
				"{\"default_url\": \"https://metadata.goog/computeMetadata/v1/\"}", 400, "default_url"));
		corpus.add(json("a callback URL as a number", JOBS, "{\"prompt\": \"a cat\", \"callback_url\": 443}", 400,
				"callback_url"));
		corpus.add(json("a batch whose second job calls back to localhost", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"1\"}, {\"prompt\": \"2\", \"callback_url\": \"https://localhost/hook\"}]}",
				400, "jobs[1].callback_url"));
		corpus.add(json("an estimate without a prompt", JOBS + "/estimate", "{\"model\": \"sim-video\"}", 400,
				"prompt"));
		corpus.add(get("usage from a date that is not one", "/api/v1/usage?from=last-week", 400, "from"));
		// Headers and media types
		corpus.add(raw("text/plain instead of JSON", HttpMethod.POST, JOBS, MediaType.TEXT_PLAIN,
				"prompt=a cat".getBytes(StandardCharsets.UTF_8), 415, null));
		corpus.add(raw("XML instead of JSON", HttpMethod.POST, JOBS, MediaType.APPLICATION_XML,
				"<job><prompt>a cat</prompt></job>".getBytes(StandardCharsets.UTF_8), 415, null));
		corpus.add(new BadRequest("an Idempotency-Key of 300 characters", HttpMethod.POST, JOBS,
				(request) -> request.header("Idempotency-Key", "k".repeat(300))
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"prompt\": \"a cat\"}"),
				400, "Idempotency-Key"));
		corpus.add(new BadRequest("an Idempotency-Key with '#'", HttpMethod.POST, JOBS,
				(request) -> request.header("Idempotency-Key", "a#1")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"prompt\": \"a cat\"}"),
				400, "Idempotency-Key"));
		// Batches
		corpus.add(json("a batch without jobs", JOBS + "/batch", "{}", 400, "jobs"));
		corpus.add(json("an empty batch", JOBS + "/batch", "{\"jobs\": []}", 400, "jobs"));
		corpus.add(json("a batch of 101 jobs", JOBS + "/batch", batchOf(101), 400, "jobs"));
		corpus.add(json("a batch whose fourth job is bad", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"1\"}, {\"prompt\": \"2\"}, {\"prompt\": \"3\"}, {\"prompt\": \"\"}]}", 400,
				"jobs[3].prompt"));
		corpus.add(json("a batch whose jobs are an object", JOBS + "/batch", "{\"jobs\": {\"prompt\": \"a cat\"}}", 400,
				"jobs"));
		corpus.add(json("a batch whose fourth job has an unknown field", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"1\"}, {\"prompt\": \"2\"}, {\"prompt\": \"3\"}, {\"prompt\": \"4\", \"zzz\": 1}]}",
				400, "jobs[3].zzz"));
		corpus.add(json("a batch whose second job has a priority as a word", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"1\"}, {\"prompt\": \"2\", \"priority\": \"low\"}]}", 400,
				"jobs[1].priority").withDetail("Field 'jobs[1].priority' must be a whole number"));
		corpus.add(json("a batch with an unknown field", JOBS + "/batch", "{\"jobs\": [{\"prompt\": \"a\"}], \"x\": 1}",
				400, "x"));
		// Multipart uploads
		corpus.add(multipart("an unknown form field", (form) -> form.part("colour", "red"), 400, "colour"));
		corpus.add(multipart("a form field given twice", (form) -> {
			form.part("prompt", "a cat");
			form.part("prompt", "a dog");
		}, 400, "prompt"));
		corpus.add(multipart("a duration in a form that is not a number",
				(form) -> form.part("duration_seconds", "eight"), 400, "duration_seconds"));
		corpus.add(multipart("an image of a type not taken",
				(form) -> form.part("image", file(png(320, 240), "cat.gif")).contentType(MediaType.IMAGE_GIF), 400,
				"image"));
		corpus.add(multipart("a text file named .png",
				(form) -> form.part("image", file("not an image".getBytes(StandardCharsets.UTF_8), "cat.png"))
					.contentType(MediaType.IMAGE_PNG),
				400, "image"));
		corpus.add(multipart("a JPEG declared as PNG",
				(form) -> form.part("image", file(jpeg(320, 240), "cat.png")).contentType(MediaType.IMAGE_PNG), 400,
				"image"));
		corpus.add(multipart("an empty image",
				(form) -> form.part("image", file(new byte[0], "cat.png")).contentType(MediaType.IMAGE_PNG), 400,
				"image"));
		corpus.add(multipart("a PNG cut off before its size",
				(form) -> form.part("image", file(java.util.Arrays.copyOf(png(320, 240), 14), "cat.png"))
					.contentType(MediaType.IMAGE_PNG),
				400, "image"));
		corpus.add(multipart("an image 16 pixels wide",
				(form) -> form.part("image", file(png(16, 240), "cat.png")).contentType(MediaType.IMAGE_PNG), 400,
				"image"));
		corpus.add(multipart("an image 100,000 pixels wide (header only)",
				(form) -> form.part("image", file(pngHeader(100_000, 720), "cat.png")).contentType(MediaType.IMAGE_PNG),
				400, "image"));
		corpus.add(multipart("an image over the size limit",
				(form) -> form.part("image", file(oversized(), "cat.png")).contentType(MediaType.IMAGE_PNG), 400,
				"image"));
		corpus.add(multipart("a duration in Arabic-Indic digits", (form) -> form.part("duration_seconds", "\u0668"),
				400, "duration_seconds"));
		corpus.add(multipart("a seed in full-width digits", (form) -> form.part("seed", "\uff11\uff12"), 400, "seed"));
		corpus.add(multipart("a prompt of 1 MB", (form) -> form.part("prompt", "a".repeat(1_000_000)), 400, "prompt")
			.withDetail("prompt is 1000000 characters"));
		corpus.add(multipart("a negative prompt of 2 MB", (form) -> form.part("negative_prompt", "b".repeat(2 * 1024 * 1024)),
				413, null).withDetail("A form field is larger than 1 MB"));
		corpus.add(raw("a lone surrogate in the UTF-8 of a form field", HttpMethod.POST, JOBS,
				MediaType.parseMediaType("multipart/form-data; boundary=xyz"),
				utf8Json("--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat ",
						new byte[] { (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, "\r\n--xyz--\r\n"),
				400, "prompt"));
		corpus.add(multipart("17 parts", (form) -> {
			for (int i = 0; i < 17; i++) {
				form.part("prompt", "a cat");
			}
		}, 400, null));
		corpus.add(raw("multipart without a boundary", HttpMethod.POST, JOBS, MediaType.MULTIPART_FORM_DATA,
				formBody("xyz", true), 400, null));
		corpus.add(raw("multipart with the wrong boundary", HttpMethod.POST, JOBS,
				MediaType.parseMediaType("multipart/form-data; boundary=abc"), formBody("xyz", true), 400, null));
		corpus.add(raw("multipart cut off before its end", HttpMethod.POST, JOBS,
				MediaType.parseMediaType("multipart/form-data; boundary=xyz"), formBody("xyz", false), 400, null));
		// The sign-in form
		corpus.add(raw("a sign-in form of 300 KB", HttpMethod.POST, "/signin", MediaType.APPLICATION_FORM_URLENCODED,
				("next=/&key=" + "k".repeat(300 * 1024)).getBytes(StandardCharsets.UTF_8), 413, null));
		// Query strings and paths
		corpus.add(get("a page size in Arabic-Indic digits", JOBS + "?limit=\u0662\u0660", 400, "limit"));
		corpus.add(get("a delivery page size in Arabic-Indic digits", "/api/v1/callbacks/deliveries?limit=\u0665",
				400, "limit"));
		corpus.add(get("activity over Arabic-Indic minutes", "/api/v1/activity?minutes=\u0666\u0660", 400, "minutes"));
		corpus.add(get("a job id with Arabic-Indic digits", JOBS + "/" + SOME_ID.toString().replace('6', '\u0666'),
				400, "id"));
		corpus.add(get("a cursor that decodes to the year 1000000000", JOBS + "?cursor=" + cursor("+1000000000-01-01T00:00:00Z"),
				400, "cursor"));
		corpus.add(get("a cursor that decodes to the year -999999999", JOBS + "?cursor=" + cursor("-999999999-01-01T00:00:00Z"),
				400, "cursor"));
		corpus.add(get("a page size of 0", JOBS + "?limit=0", 400, "limit"));
		corpus.add(get("a page size of 1,000", JOBS + "?limit=1000", 400, "limit"));
		corpus.add(get("a page size that is a word", JOBS + "?limit=many", 400, "limit"));
		corpus.add(get("an unknown status filter", JOBS + "?status=exploded", 400, "status"));
		corpus.add(get("a cursor this API never gave", JOBS + "?cursor=bm90LWEtY3Vyc29y", 400, "cursor"));
		corpus.add(get("a job id that is not an id", JOBS + "/not-a-uuid", 400, "id"));
		corpus.add(get("a job that does not exist", JOBS + "/" + UUID.randomUUID(), 404, null));
		corpus.add(new BadRequest("canceling a job id that is not an id", HttpMethod.POST, JOBS + "/nope/cancel",
				(request) -> request, 400, "id"));
		corpus.add(new BadRequest("canceling a job that does not exist", HttpMethod.POST,
				JOBS + "/" + UUID.randomUUID() + "/cancel", (request) -> request, 404, null));
		corpus.add(new BadRequest("retrying a job that does not exist", HttpMethod.POST,
				JOBS + "/" + UUID.randomUUID() + "/retry", (request) -> request, 404, null));
		corpus.add(get("the content of a job that does not exist", JOBS + "/" + UUID.randomUUID() + "/content", 404,
				null));
		corpus.add(new BadRequest("deleting the job list", HttpMethod.DELETE, JOBS, (request) -> request, 405, null));
		corpus.add(get("activity over -5 minutes", "/api/v1/activity?minutes=-5", 400, "minutes"));
		corpus.add(stream("an event stream filtered by an unknown status", "/api/v1/events?status=exploded", 400,
				"status"));
		corpus.add(stream("an event stream for a job id that is not an id", "/api/v1/events?job_id=seven", 400,
				"job_id"));
		corpus.add(stream("an event stream resumed from a word", "/api/v1/events?last_event_id=yesterday", 400,
				"last_event_id"));
		corpus.add(stream("an event stream resumed from Arabic-Indic digits", "/api/v1/events?last_event_id=\u0661\u0662",
				400, "last_event_id"));
		corpus.add(stream("an event stream for a job id with Arabic-Indic digits",
				"/api/v1/events?job_id=" + SOME_ID.toString().replace('6', '\u0666'), 400, "job_id"));
		return corpus.stream().map((bad) -> Named.of(bad.name(), bad));
	}

	private Answer send(BadRequest bad) {
		WebClient client = WebClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
			.build();
		WebClient.RequestBodySpec request = client.method(bad.method()).uri(bad.path());
		return bad.request()
			.apply(request)
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> new Answer(response.statusCode().value(),
						response.headers().asHttpHeaders().getFirst(HttpHeaders.CONTENT_TYPE), body,
						response.headers().asHttpHeaders().getFirst(HttpHeaders.LOCATION))))
			.block(Duration.ofSeconds(30));
	}

	/** Rows of every table a request could write to, as one comparable line. */
	private String rowCounts() {
		return this.db.sql("SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM job_events) AS events, "
				+ "(SELECT count(*) FROM job_inputs) AS inputs, (SELECT count(*) FROM tenants) AS tenants, "
				+ "(SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM budget_ledger) AS ledger, "
				+ "(SELECT count(*) FROM callback_deliveries) AS deliveries")
			.map((row) -> "jobs=" + row.get("jobs") + " events=" + row.get("events") + " inputs=" + row.get("inputs")
					+ " tenants=" + row.get("tenants") + " keys=" + row.get("keys") + " ledger=" + row.get("ledger")
					+ " deliveries=" + row.get("deliveries"))
			.one()
			.block(Duration.ofSeconds(10));
	}

	private static BadRequest json(String name, String path, String body, int status, @Nullable String field) {
		return raw(name, HttpMethod.POST, path, MediaType.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8),
				status, field);
	}

	private static BadRequest raw(String name, HttpMethod method, String path, MediaType type, byte[] body,
			int status, @Nullable String field) {
		return new BadRequest(name, method, path, (request) -> request.contentType(type).bodyValue(body), status,
				field);
	}

	private static BadRequest put(String name, String path, String body, int status, @Nullable String field) {
		return raw(name, HttpMethod.PUT, path, MediaType.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8),
				status, field);
	}

	/** JSON text around raw bytes that no encoder would write. */
	private static byte[] utf8Json(String before, byte[] raw, String after) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
		out.writeBytes(raw);
		out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	/** A form with a prompt, delimited by {@code boundary}, with or without its closing delimiter. */
	private static byte[] formBody(String boundary, boolean closed) {
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat\r\n"
				+ (closed ? "--" + boundary + "--\r\n" : "");
		return body.getBytes(StandardCharsets.UTF_8);
	}

	/** A cursor as the API encodes one, around any instant text. */
	private static String cursor(String instant) {
		return java.util.Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((instant + "|" + SOME_ID).getBytes(StandardCharsets.UTF_8));
	}

	private static BadRequest get(String name, String path, int status, @Nullable String field) {
		return new BadRequest(name, HttpMethod.GET, path, (request) -> request, status, field);
	}

	private static BadRequest stream(String name, String path, int status, @Nullable String field) {
		return new BadRequest(name, HttpMethod.GET, path,
				(request) -> request.accept(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_PROBLEM_JSON), status,
				field);
	}

	private static BadRequest multipart(String name, Consumer<MultipartBodyBuilder> parts, int status,
			@Nullable String field) {
		return new BadRequest(name, HttpMethod.POST, JOBS, (request) -> {
			MultipartBodyBuilder form = new MultipartBodyBuilder();
			parts.accept(form);
			if (!form.build().containsKey("prompt")) {
				form.part("prompt", "a cat");
			}
			return request.contentType(MediaType.MULTIPART_FORM_DATA)
				.body(BodyInserters.fromMultipartData(form.build()));
		}, status, field);
	}

	private static String batchOf(int size) {
		StringBuilder body = new StringBuilder("{\"jobs\": [");
		for (int i = 0; i < size; i++) {
			body.append((i > 0) ? "," : "").append("{\"prompt\": \"job ").append(i).append("\"}");
		}
		return body.append("]}").toString();
	}

	private static ByteArrayResource file(byte[] bytes, String name) {
		return new ByteArrayResource(bytes) {
			@Override
			public String getFilename() {
				return name;
			}
		};
	}

	static byte[] png(int width, int height) {
		return encode(width, height, "png");
	}

	private static byte[] jpeg(int width, int height) {
		return encode(width, height, "jpeg");
	}

	private static byte[] encode(int width, int height, String format) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), format, out);
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A PNG signature and header claiming a size, without the pixels: the size check must not need them. */
	private static byte[] pngHeader(int width, int height) {
		ByteBuffer header = ByteBuffer.allocate(33);
		header.put(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' });
		header.putInt(width).putInt(height).put(new byte[] { 8, 2, 0, 0, 0, 0, 0, 0, 0 });
		return header.array();
	}

	private static byte[] oversized() {
		byte[] header = png(320, 240);
		byte[] big = new byte[11 * 1024 * 1024];
		System.arraycopy(header, 0, big, 0, header.length);
		return big;
	}

	record BadRequest(String name, HttpMethod method, String path,
			java.util.function.Function<WebClient.RequestBodySpec, WebClient.RequestHeadersSpec<?>> request, int status,
			@Nullable String field, @Nullable String detail) {

		BadRequest(String name, HttpMethod method, String path,
				java.util.function.Function<WebClient.RequestBodySpec, WebClient.RequestHeadersSpec<?>> request,
				int status, @Nullable String field) {
			this(name, method, path, request, status, field, null);
		}

		/** The same request, whose problem detail must also contain {@code fragment}. */
		BadRequest withDetail(String fragment) {
			return new BadRequest(this.name, this.method, this.path, this.request, this.status, this.field, fragment);
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	private record Answer(int status, @Nullable String contentType, String body, @Nullable String location) {
	}

}
