package dev.reelay.provider.openai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;

/**
 * A {@code multipart/form-data} body built whole in memory, so that it is sent with a {@code Content-Length} as
 * the providers' own SDKs send it. Spring's multipart writer streams with {@code Transfer-Encoding: chunked},
 * which some servers (simple proxies, resellers' gateways) read as an empty body. A create's form is small: a few
 * text fields and at most one reference image, whose size the upload limit already bounds.
 */
final class MultipartForm {

	private final String boundary = "reelay-" + UUID.randomUUID();

	private final ByteArrayOutputStream body = new ByteArrayOutputStream();

	MultipartForm text(String name, String value) {
		head(name, null, MediaType.TEXT_PLAIN_VALUE + ";charset=UTF-8");
		write(value.getBytes(StandardCharsets.UTF_8));
		write("\r\n");
		return this;
	}

	MultipartForm file(String name, String filename, String contentType, byte[] content) {
		head(name, filename, contentType);
		write(content);
		write("\r\n");
		return this;
	}

	MediaType contentType() {
		return new MediaType(MediaType.MULTIPART_FORM_DATA, java.util.Map.of("boundary", this.boundary));
	}

	/** The whole body, closing boundary included. */
	byte[] bytes() {
		ByteArrayOutputStream whole = new ByteArrayOutputStream(this.body.size() + 64);
		whole.writeBytes(this.body.toByteArray());
		whole.writeBytes(("--" + this.boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
		return whole.toByteArray();
	}

	private void head(String name, @Nullable String filename, String contentType) {
		StringBuilder head = new StringBuilder("--").append(this.boundary)
			.append("\r\nContent-Disposition: form-data; name=\"")
			.append(quoted(name))
			.append('"');
		if (filename != null) {
			head.append("; filename=\"").append(quoted(filename)).append('"');
		}
		head.append("\r\nContent-Type: ").append(contentType).append("\r\n\r\n");
		write(head.toString());
	}

	/** A quoted-string's content: no quote, backslash or line break can end it early. */
	private static String quoted(String value) {
		return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "");
	}

	private void write(String text) {
		write(text.getBytes(StandardCharsets.UTF_8));
	}

	private void write(byte[] bytes) {
		this.body.writeBytes(bytes);
	}

}
