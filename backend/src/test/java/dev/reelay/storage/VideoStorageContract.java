package dev.reelay.storage;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every store must do, run against each of them: stream a download in whole and checksummed (or keep nothing),
 * and give back any byte range of it.
 */
abstract class VideoStorageContract {

	/** Bigger than any single buffer on either side, so streaming and ranges cross buffer boundaries. */
	static final byte[] VIDEO = bytes(300_000, 7);

	abstract VideoStorage storage();

	/** Whether the store holds anything, finished or partial, under this file name. */
	abstract boolean holdsAnything(String fileName);

	@Test
	void storesAStreamedDownloadWithItsLengthAndSha256() throws Exception {
		StoredFile stored = storage().store("job-1", "video/mp4", chunks(VIDEO, 8_192)).block();
		assertThat(stored.contentType()).isEqualTo("video/mp4");
		assertThat(stored.length()).isEqualTo(VIDEO.length);
		assertThat(stored.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(VIDEO)));
		assertThat(stored.location()).endsWith("job-1.mp4");
		assertThat(read(stored.location(), 0, VIDEO.length - 1)).isEqualTo(VIDEO);
	}

	@Test
	void readsAnyByteRange() {
		StoredFile stored = storage().store("job-2", "video/mp4", chunks(VIDEO, 65_536)).block();
		assertThat(read(stored.location(), 100, 199)).isEqualTo(slice(VIDEO, 100, 199));
		assertThat(read(stored.location(), 70_000, VIDEO.length - 1)).isEqualTo(slice(VIDEO, 70_000, VIDEO.length - 1));
		assertThat(read(stored.location(), VIDEO.length - 1, VIDEO.length - 1)).containsExactly(VIDEO[VIDEO.length - 1]);
	}

	@Test
	void aThumbnailIsKeptBesideItsVideoUnderItsOwnName() {
		byte[] still = bytes(4_000, 11);
		StoredFile video = storage().store("job-3", "video/mp4", chunks(VIDEO, 8_192)).block();
		StoredFile thumbnail = storage().store("job-3-thumbnail", "image/webp", chunks(still, 1_000)).block();
		assertThat(thumbnail.location()).endsWith("job-3-thumbnail.webp").isNotEqualTo(video.location());
		assertThat(read(thumbnail.location(), 0, still.length - 1)).isEqualTo(still);
		assertThat(read(video.location(), 0, VIDEO.length - 1)).isEqualTo(VIDEO);
	}

	@Test
	void aDownloadThatBreaksOffLeavesNothingBehind() {
		Flux<DataBuffer> broken = chunks(slice(VIDEO, 0, 99_999), 8_192)
			.concatWith(Mono.error(new IllegalStateException("connection reset by provider")));
		StepVerifier.create(storage().store("job-4", "video/mp4", broken))
			.expectErrorMessage("connection reset by provider")
			.verify();
		assertThat(holdsAnything("job-4")).isFalse();
	}

	@Test
	void storingAgainReplacesTheEarlierCopy() {
		byte[] second = bytes(50_000, 13);
		storage().store("job-5", "video/mp4", chunks(VIDEO, 8_192)).block();
		StoredFile replaced = storage().store("job-5", "video/mp4", chunks(second, 8_192)).block();
		assertThat(replaced.length()).isEqualTo(second.length);
		assertThat(read(replaced.location(), 0, second.length - 1)).isEqualTo(second);
	}

	@Test
	void aMissingFileReadsAsNothing() {
		StepVerifier.create(storage().read(storage().store("job-6", "video/mp4", chunks(VIDEO, 8_192))
			.map((stored) -> stored.location().replace("job-6", "job-never"))
			.block(), 0, 9)).verifyComplete();
	}

	@Test
	void aDeletedFileReadsAsNothingAndDeletingAgainIsNoError() {
		StoredFile stored = storage().store("job-7", "video/mp4", chunks(VIDEO, 8_192)).block();
		StepVerifier.create(storage().delete(stored.location())).verifyComplete();
		StepVerifier.create(storage().read(stored.location(), 0, 9)).verifyComplete();
		assertThat(holdsAnything("job-7")).isFalse();
		StepVerifier.create(storage().delete(stored.location())).verifyComplete();
	}

	byte[] read(String location, long first, long last) {
		return storage().read(location, first, last)
			.flatMap((body) -> DataBufferUtils.join(body))
			.map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			})
			.block();
	}

	static Flux<DataBuffer> chunks(byte[] bytes, int size) {
		return Flux.range(0, (bytes.length + size - 1) / size)
			.map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(slice(bytes, i * size,
					Math.min(bytes.length, (i + 1) * size) - 1)));
	}

	static byte[] slice(byte[] bytes, int first, int last) {
		return java.util.Arrays.copyOfRange(bytes, first, last + 1);
	}

	static byte[] bytes(int length, long seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

}
