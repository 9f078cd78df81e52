package dev.reelay.job.web;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The type and pixel size of an uploaded image, read from its header alone. Only the few fixed-layout header
 * fields are read (no decoding, no metadata parser), which keeps untrusted uploads away from a full image library.
 */
record ImageHeader(String contentType, int width, int height) {

	private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	/** The header of {@code bytes}, or empty when they are not a PNG, JPEG or WebP this can read. */
	static Optional<ImageHeader> read(byte[] bytes) {
		try {
			if (startsWith(bytes, 0, PNG)) {
				return png(bytes);
			}
			if (bytes.length > 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
				return jpeg(bytes);
			}
			if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
				return webp(bytes);
			}
		}
		catch (IndexOutOfBoundsException truncated) {
			// A header cut short is not an image we can take.
		}
		return Optional.empty();
	}

	private static Optional<ImageHeader> png(byte[] bytes) {
		if (!startsWith(bytes, 12, ascii("IHDR"))) {
			return Optional.empty();
		}
		ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
		return sized("image/png", header.getInt(16), header.getInt(20));
	}

	/** Walks the JPEG segments to the first start-of-frame, which holds the size. */
	private static Optional<ImageHeader> jpeg(byte[] bytes) {
		int at = 2;
		while (at + 9 < bytes.length) {
			if ((bytes[at] & 0xff) != 0xff) {
				return Optional.empty();
			}
			int marker = bytes[at + 1] & 0xff;
			if (marker == 0xff) {
				at++;
				continue;
			}
			int length = ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
			boolean startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
					&& marker != 0xcc;
			if (startOfFrame) {
				int height = ((bytes[at + 5] & 0xff) << 8) | (bytes[at + 6] & 0xff);
				int width = ((bytes[at + 7] & 0xff) << 8) | (bytes[at + 8] & 0xff);
				return sized("image/jpeg", width, height);
			}
			if (marker == 0xd9 || marker == 0xda || length < 2) {
				return Optional.empty();
			}
			at += 2 + length;
		}
		return Optional.empty();
	}

	/** Lossy ({@code VP8 }), lossless ({@code VP8L}) and extended ({@code VP8X}) WebP. */
	private static Optional<ImageHeader> webp(byte[] bytes) {
		ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		if (startsWith(bytes, 12, ascii("VP8 "))) {
			return sized("image/webp", header.getShort(26) & 0x3fff, header.getShort(28) & 0x3fff);
		}
		if (startsWith(bytes, 12, ascii("VP8L"))) {
			int bits = header.getInt(21);
			return sized("image/webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
		}
		if (startsWith(bytes, 12, ascii("VP8X"))) {
			return sized("image/webp", uint24(bytes, 24) + 1, uint24(bytes, 27) + 1);
		}
		return Optional.empty();
	}

	private static Optional<ImageHeader> sized(String type, int width, int height) {
		return (width > 0 && height > 0) ? Optional.of(new ImageHeader(type, width, height)) : Optional.empty();
	}

	private static int uint24(byte[] bytes, int at) {
		return (bytes[at] & 0xff) | ((bytes[at + 1] & 0xff) << 8) | ((bytes[at + 2] & 0xff) << 16);
	}

	private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
		return bytes.length >= at + prefix.length
				&& Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
