package dev.reelay.dispatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.reelay.provider.ProviderException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Checks a video while it streams into storage, so a cut-off body is never stored as a finished video: the byte
 * count must match the declared {@code Content-Length} when there is one, and the bytes must form a whole MP4
 * (ISO-BMFF) file, always: an {@code ftyp} box first, box sizes that add up to exactly the bytes received, and a
 * {@code moov} box (without it nothing can play the file). A body that ends early without a length (a closed
 * connection) passes HTTP but fails here. Only box headers are read, so the check costs next to nothing whatever
 * the size. A failed check fails the body, which makes the store keep nothing, with a retryable error.
 */
final class DownloadCheck {

	private final @Nullable Long declaredLength;

	private final byte[] header = new byte[16];

	private int headerFill;

	private long position;

	private long nextBoxAt;

	private int boxes;

	private boolean moov;

	private boolean toEnd;

	private @Nullable String lastType;

	private @Nullable String failure;

	private DownloadCheck(@Nullable Long declaredLength) {
		this.declaredLength = declaredLength;
	}

	/** {@code body} passed through, failing at its end (or at the first bad box) when it is not a whole MP4. */
	static Flux<DataBuffer> verified(Flux<DataBuffer> body, @Nullable Long declaredLength) {
		return Flux.defer(() -> {
			DownloadCheck check = new DownloadCheck(declaredLength);
			return body.doOnNext(check::accept).concatWith(Flux.defer(check::verdict));
		});
	}

	private void accept(DataBuffer buffer) {
		try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
			chunks.forEachRemaining(this::accept);
		}
		if (this.failure != null) {
			throw incomplete(this.failure);
		}
	}

	private void accept(ByteBuffer chunk) {
		long base = this.position;
		int length = chunk.remaining();
		this.position += length;
		while (this.failure == null && !this.toEnd) {
			long wanted = this.nextBoxAt + this.headerFill;
			if (wanted >= base + length) {
				return;
			}
			this.header[this.headerFill++] = chunk.get(chunk.position() + (int) (wanted - base));
			if (this.headerFill == 8 && uint32(0) != 1) {
				box(uint32(0), 8);
			}
			else if (this.headerFill == 16) {
				box(int64(8), 16);
			}
		}
	}

	private void box(long size, int headerLength) {
		String type = new String(this.header, 4, 4, StandardCharsets.ISO_8859_1);
		if (this.boxes == 0 && !type.equals("ftyp")) {
			this.failure = "it is not an MP4 file (it does not start with an ftyp box)";
			return;
		}
		this.boxes++;
		this.lastType = type;
		this.moov |= type.equals("moov");
		if (size == 0) {
			// The last box, running to the end of the file.
			this.toEnd = true;
			return;
		}
		if (size < headerLength) {
			this.failure = "its '" + type + "' box has an impossible size (" + size + " bytes)";
			return;
		}
		this.nextBoxAt += size;
		this.headerFill = 0;
	}

	private Flux<DataBuffer> verdict() {
		String problem = problem();
		return (problem != null) ? Flux.error(incomplete(problem)) : Flux.empty();
	}

	private @Nullable String problem() {
		if (this.failure != null) {
			return this.failure;
		}
		if (this.declaredLength != null && this.position != this.declaredLength) {
			return (this.position < this.declaredLength)
					? "only " + this.position + " of its " + this.declaredLength + " bytes arrived"
					: this.position + " bytes arrived where " + this.declaredLength + " were announced";
		}
		if (this.boxes == 0) {
			return "it is empty or not an MP4 file (" + this.position + " bytes, no whole box)";
		}
		if (!this.toEnd && this.headerFill > 0) {
			return "it ends in the middle of a box header, after " + this.position + " bytes";
		}
		if (!this.toEnd && this.nextBoxAt != this.position) {
			return "it ends inside its '" + this.lastType + "' box: " + this.position + " bytes arrived, the boxes "
					+ "announce " + this.nextBoxAt;
		}
		if (!this.moov) {
			return "it has no 'moov' box, so it cannot be played";
		}
		return null;
	}

	private long uint32(int at) {
		return ((this.header[at] & 0xFFL) << 24) | ((this.header[at + 1] & 0xFFL) << 16)
				| ((this.header[at + 2] & 0xFFL) << 8) | (this.header[at + 3] & 0xFFL);
	}

	private long int64(int at) {
		return (uint32(at) << 32) | uint32(at + 4);
	}

	private static ProviderException incomplete(String problem) {
		return new ProviderException(ProviderException.Kind.RETRYABLE, "download_incomplete",
				"The downloaded video is incomplete or damaged: " + problem + ".", 0, null, null, null);
	}

}
