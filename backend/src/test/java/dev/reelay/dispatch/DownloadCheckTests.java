package dev.reelay.dispatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.reelay.provider.ProviderException;
import dev.reelay.provider.StandIn;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The download check on its own: whole MP4s pass however they are chunked; cut or foreign bodies never do. */
class DownloadCheckTests {

	private static final byte[] WHOLE = StandIn.mp4(100_000);

	@Test
	void aWholeMp4PassesInAnyChunkingWithOrWithoutALength() {
		for (int chunk : new int[] { 1, 3, 7, 8, 13, 4096, WHOLE.length }) {
			assertThat(bytesThrough(WHOLE, chunk, (long) WHOLE.length)).as("chunks of %d", chunk).isEqualTo(WHOLE.length);
			assertThat(bytesThrough(WHOLE, chunk, null)).as("chunks of %d, no length", chunk).isEqualTo(WHOLE.length);
		}
	}

	@Test
	void aBodyCutAtHalfFailsWithAndWithoutItsLength() {
		byte[] half = Arrays.copyOf(WHOLE, WHOLE.length / 2);
		fails(half, 4096, (long) WHOLE.length, "only 50000 of its 100000 bytes arrived");
		fails(half, 4096, null, "it ends inside its 'mdat' box: 50000 bytes arrived, the boxes announce 100000");
	}

	@Test
	void aBodyLongerThanDeclaredFails() {
		fails(WHOLE, 4096, (long) WHOLE.length - 1, "100000 bytes arrived where 99999 were announced");
	}

	@Test
	void somethingElseThanAnMp4Fails() {
		fails("<html>502 Bad Gateway</html>".getBytes(StandardCharsets.US_ASCII), 5, null, "does not start with an ftyp");
		fails(new byte[0], 1, null, "empty");
		fails(Arrays.copyOf(WHOLE, 5), 1, null, "not an MP4 file");
		fails(Arrays.copyOf(WHOLE, 30), 1, null, "ends in the middle of a box header");
	}

	@Test
	void aFileWithoutAMoovBoxFails() {
		ByteBuffer file = ByteBuffer.allocate(40);
		file.putInt(24).put(ascii("ftyp")).put(ascii("isom")).putInt(0).put(ascii("isom")).put(ascii("mp41"));
		file.putInt(16).put(ascii("mdat")).putLong(7);
		fails(file.array(), 9, 40L, "no 'moov' box");
	}

	@Test
	void largeSizesAndALastBoxRunningToTheEndAreUnderstood() {
		ByteBuffer file = ByteBuffer.allocate(24 + 16 + 8 + 8 + 100);
		file.putInt(24).put(ascii("ftyp")).put(ascii("isom")).putInt(0).put(ascii("isom")).put(ascii("mp41"));
		// A 64-bit size (size field 1): a header of 16 bytes, then 8 more of the box.
		file.putInt(1).put(ascii("moov")).putLong(24).putLong(0);
		// Size 0: the box runs to the end of the file.
		file.putInt(0).put(ascii("mdat"));
		byte[] bytes = file.array();
		assertThat(bytesThrough(bytes, 5, null)).isEqualTo(bytes.length);
	}

	private static void fails(byte[] bytes, int chunk, Long declared, String why) {
		StepVerifier.create(DownloadCheck.verified(chunks(bytes, chunk), declared))
			.thenConsumeWhile((buffer) -> true)
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ProviderException.class)
				.hasMessageContaining(why)
				.satisfies((failed) -> assertThat(((ProviderException) failed).kind())
					.isEqualTo(ProviderException.Kind.RETRYABLE)))
			.verify();
	}

	private static long bytesThrough(byte[] bytes, int chunk, Long declared) {
		return DownloadCheck.verified(chunks(bytes, chunk), declared)
			.map(DataBuffer::readableByteCount)
			.reduce(0L, Long::sum)
			.block();
	}

	private static Flux<DataBuffer> chunks(byte[] bytes, int size) {
		List<DataBuffer> buffers = new ArrayList<>();
		for (int at = 0; at < bytes.length; at += size) {
			buffers.add(DefaultDataBufferFactory.sharedInstance.wrap(Arrays.copyOfRange(bytes, at,
					Math.min(bytes.length, at + size))));
		}
		return Flux.fromIterable(buffers);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
