package dev.reelay.web;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.util.MimeType;

/**
 * Refuses a body that is not well-formed UTF-8 before Jackson reads it: Jackson decodes overlong forms (such as
 * {@code C0 AF} for {@code /}) as if they were the character, which hides text from any check on it. The JDK's
 * decoder follows RFC 3629 exactly (no overlong forms, no surrogates, nothing past U+10FFFF).
 */
class StrictUtf8JsonDecoder extends JacksonJsonDecoder {

	StrictUtf8JsonDecoder(JsonMapper mapper) {
		super(mapper);
	}

	@Override
	public @Nullable Object decode(DataBuffer body, ResolvableType targetType, @Nullable MimeType mimeType,
			@Nullable Map<String, Object> hints) throws DecodingException {
		String problem = utf8Problem(body);
		if (problem != null) {
			DataBufferUtils.release(body);
			throw new MalformedTextException(problem);
		}
		return super.decode(body, targetType, mimeType, hints);
	}

	private static @Nullable String utf8Problem(DataBuffer body) {
		ByteBuffer bytes = ByteBuffer.allocate(body.readableByteCount());
		try (DataBuffer.ByteBufferIterator buffers = body.readableByteBuffers()) {
			buffers.forEachRemaining(bytes::put);
		}
		bytes.flip();
		CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		CoderResult result = utf8.decode(bytes, CharBuffer.allocate(bytes.remaining()), true);
		return result.isError() ? "The body is not valid UTF-8: the bytes at offset " + bytes.position()
				+ " do not encode a character (overlong, a surrogate, or cut short)" : null;
	}

	/** A body that is not text; its message is plain words for the problem's detail. */
	static final class MalformedTextException extends DecodingException {

		private static final long serialVersionUID = 1L;

		MalformedTextException(String message) {
			super(message);
		}

	}

}
