package dev.reelay.storage;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * An S3-compatible object store over real HTTP, path-style, as much of it as Reelay uses: PutObject (Content-Length
 * required, {@code x-amz-content-sha256} and {@code x-amz-checksum-sha256} checked against the body), GetObject with
 * Range, HeadObject, DeleteObject, and S3's XML errors. Every request must carry a well-formed SigV4
 * {@code Authorization} header for the expected key, region and service, or it is refused with 403 as S3 would.
 * Like several S3-compatible stores it does not take aws-chunked (streaming-signed) uploads.
 */
public final class S3StandIn extends Dispatcher implements AutoCloseable {

	public static final String BUCKET = "reelay-videos";

	public static final String REGION = "eu-central-1";

	public static final String ACCESS_KEY = "AKIDREELAYTEST";

	public static final String SECRET_KEY = "reelay-test-secret-key";

	private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/,]+)/(\\d{8})/([^/]+)/"
			+ "([^/]+)/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

	private final MockWebServer server = new MockWebServer();

	private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();

	/** Every request as "METHOD key [Range]", in order. */
	public final List<String> requests = new CopyOnWriteArrayList<>();

	public S3StandIn() {
		this.server.setDispatcher(this);
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String endpoint() {
		String url = this.server.url("/").toString();
		return url.substring(0, url.length() - 1);
	}

	public @Nullable StoredObject object(String key) {
		return this.objects.get(key);
	}

	public Map<String, StoredObject> objects() {
		return Map.copyOf(this.objects);
	}

	@Override
	public MockResponse dispatch(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		String prefix = "/" + BUCKET + "/";
		String range = request.getHeaders().get("Range");
		String key = path.startsWith(prefix) ? ByteString.encodeUtf8(path.substring(prefix.length())).utf8() : "";
		this.requests.add(request.getMethod() + " " + key + ((range != null) ? " " + range : ""));
		String refusal = authorizationProblem(request);
		if (refusal != null) {
			return error(403, "SignatureDoesNotMatch", refusal);
		}
		if (!path.startsWith(prefix) || key.isEmpty()) {
			return error(404, "NoSuchBucket", "The specified bucket does not exist");
		}
		return switch (request.getMethod()) {
			case "PUT" -> put(key, request);
			case "GET" -> get(key, range, true);
			case "HEAD" -> get(key, null, false);
			case "DELETE" -> {
				this.objects.remove(key);
				yield new MockResponse.Builder().code(204).build();
			}
			default -> error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		};
	}

	private MockResponse put(String key, RecordedRequest request) {
		String declared = request.getHeaders().get("x-amz-content-sha256");
		if (declared != null && declared.startsWith("STREAMING-")) {
			return error(501, "NotImplemented", "aws-chunked uploads are not supported");
		}
		if (request.getHeaders().get("Content-Length") == null) {
			return error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
		}
		ByteString body = request.getBody();
		byte[] bytes = (body != null) ? body.toByteArray() : new byte[0];
		byte[] digest = sha256(bytes);
		if (declared != null && !declared.equals("UNSIGNED-PAYLOAD") && !declared.equals(HexFormat.of().formatHex(digest))) {
			return error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match");
		}
		String checksum = request.getHeaders().get("x-amz-checksum-sha256");
		if (checksum != null && !checksum.equals(Base64.getEncoder().encodeToString(digest))) {
			return error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
		}
		String type = request.getHeaders().get("Content-Type");
		this.objects.put(key, new StoredObject(bytes, (type != null) ? type : "binary/octet-stream", checksum));
		return new MockResponse.Builder().code(200).setHeader("ETag", "\"" + HexFormat.of().formatHex(digest) + "\"").build();
	}

	private MockResponse get(String key, @Nullable String range, boolean withBody) {
		StoredObject object = this.objects.get(key);
		if (object == null) {
			return withBody ? error(404, "NoSuchKey", "The specified key does not exist.")
					: new MockResponse.Builder().code(404).build();
		}
		byte[] bytes = object.bytes();
		MockResponse.Builder response = new MockResponse.Builder().setHeader("Content-Type", object.contentType())
			.setHeader("Accept-Ranges", "bytes")
			.setHeader("ETag", "\"" + HexFormat.of().formatHex(sha256(bytes)) + "\"");
		Matcher asked = (range != null) ? RANGE.matcher(range) : null;
		if (asked == null || !asked.matches()) {
			response.code(200);
			return withBody ? response.body(new Buffer().write(bytes)).build()
					: response.setHeader("Content-Length", String.valueOf(bytes.length)).build();
		}
		long first = Long.parseLong(asked.group(1));
		long last = asked.group(2).isEmpty() ? bytes.length - 1 : Math.min(Long.parseLong(asked.group(2)), bytes.length - 1);
		if (first >= bytes.length) {
			return error(416, "InvalidRange", "The requested range is not satisfiable");
		}
		return response.code(206)
			.setHeader("Content-Range", "bytes " + first + "-" + last + "/" + bytes.length)
			.body(new Buffer().write(bytes, (int) first, (int) (last - first + 1)))
			.build();
	}

	/** What is wrong with the request's SigV4 signature header, or null when it is well-formed and ours. */
	private static @Nullable String authorizationProblem(RecordedRequest request) {
		String header = request.getHeaders().get("Authorization");
		if (header == null) {
			return "Missing Authorization header";
		}
		Matcher parts = AUTHORIZATION.matcher(header);
		if (!parts.matches()) {
			return "Malformed SigV4 Authorization header: " + header;
		}
		String date = request.getHeaders().get("x-amz-date");
		if (date == null || !date.matches("\\d{8}T\\d{6}Z") || !date.startsWith(parts.group(2))) {
			return "x-amz-date missing or not the credential scope's date";
		}
		if (!parts.group(1).equals(ACCESS_KEY) || !parts.group(3).equals(REGION) || !parts.group(4).equals("s3")) {
			return "Credential scope is not " + ACCESS_KEY + "/…/" + REGION + "/s3";
		}
		List<String> signed = List.of(parts.group(5).split(";"));
		if (!signed.contains("host") || !signed.contains("x-amz-date") || !signed.contains("x-amz-content-sha256")) {
			return "SignedHeaders must cover host, x-amz-date and x-amz-content-sha256";
		}
		return null;
	}

	private static MockResponse error(int status, String code, String message) {
		return new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/xml")
			.body("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
					+ "</Message><RequestId>standin</RequestId></Error>")
			.build();
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.server.close();
	}

	/** An object as stored, with the SHA-256 checksum the client sent (base64), if any. */
	public record StoredObject(byte[] bytes, String contentType, @Nullable String checksumSha256) {
	}

}
