package dev.reelay.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator's clip says, in every place a player reads it, the size and length it was made for: the movie and
 * track headers, the sample table, and the H.264 sequence parameter set the decoder takes its picture size from.
 * (That browsers play it and report the same is checked in {@code SimulatorClipBrowserTests}.)
 */
class TestPatternClipTests {

	@ParameterizedTest(name = "{0}x{1}, {2} s")
	@CsvSource({ "1280, 720, 4", "720, 1280, 8", "1792, 1024, 12", "1024, 1792, 4" })
	void isAnMp4OfTheAskedSizeAndLength(int width, int height, int seconds) {
		byte[] mp4 = TestPatternClip.mp4(width, height, seconds);
		ByteBuffer file = ByteBuffer.wrap(mp4);

		assertThat(type(file, 0)).isEqualTo("ftyp");
		ByteBuffer mvhd = box(file, "moov", "mvhd");
		assertThat(mvhd.getInt(12)).as("movie timescale").isEqualTo(1000);
		assertThat(mvhd.getInt(16)).as("movie duration").isEqualTo(seconds * 1000);
		ByteBuffer tkhd = box(file, "moov", "trak", "tkhd");
		assertThat(tkhd.getInt(20)).as("track duration").isEqualTo(seconds * 1000);
		assertThat(tkhd.getInt(76) >>> 16).as("track width").isEqualTo(width);
		assertThat(tkhd.getInt(80) >>> 16).as("track height").isEqualTo(height);
		ByteBuffer stbl = box(file, "moov", "trak", "mdia", "minf", "stbl");
		ByteBuffer stts = box(stbl, "stts");
		assertThat((long) stts.getInt(8) * stts.getInt(12)).as("samples times their duration")
			.isEqualTo(seconds * 1000L);
		ByteBuffer avc1 = box(box(stbl, "stsd").position(8).slice(), "avc1");
		assertThat(avc1.getShort(24) & 0xFFFF).as("sample entry width").isEqualTo(width);
		assertThat(avc1.getShort(26) & 0xFFFF).as("sample entry height").isEqualTo(height);
		ByteBuffer avcC = box(avc1.position(78).slice(), "avcC");
		int spsLength = avcC.getShort(6) & 0xFFFF;
		byte[] sps = new byte[spsLength];
		avcC.get(8, sps);
		assertThat(spsSize(sps)).as("coded picture size").containsExactly(width, height);
		assertThat(box(file, "mdat").remaining()).as("a few kilobytes").isLessThan(64 * 1024);
	}

	/** Width and height in pixels from a Baseline SPS as this encoder writes it (no cropping, no VUI). */
	private static int[] spsSize(byte[] sps) {
		BitReader bits = new BitReader(sps, 1);
		assertThat(bits.u(8)).as("profile: Baseline").isEqualTo(66);
		bits.u(16); // constraint flags, level
		bits.ue(); // sps id
		bits.ue(); // log2_max_frame_num_minus4
		assertThat(bits.ue()).as("pic_order_cnt_type").isEqualTo(2);
		bits.ue(); // max_num_ref_frames
		bits.u(1);
		int width = (bits.ue() + 1) * 16;
		int height = (bits.ue() + 1) * 16;
		assertThat(bits.u(1)).as("frame_mbs_only_flag").isEqualTo(1);
		bits.u(1);
		assertThat(bits.u(1)).as("frame_cropping_flag").isZero();
		return new int[] { width, height };
	}

	/** The body (after size and type) of the box reached by the path of types. */
	private static ByteBuffer box(ByteBuffer in, String... path) {
		ByteBuffer current = in.duplicate();
		for (String wanted : path) {
			ByteBuffer found = find(current, wanted);
			assertThat(found).as("box %s", wanted).isNotNull();
			current = found;
		}
		return current;
	}

	private static @Nullable ByteBuffer find(ByteBuffer in, String wanted) {
		int at = 0;
		while (at + 8 <= in.limit()) {
			int size = in.getInt(at);
			if (size < 8 || at + size > in.limit()) {
				return null;
			}
			if (type(in, at).equals(wanted)) {
				return in.slice(at + 8, size - 8);
			}
			at += size;
		}
		return null;
	}

	private static String type(ByteBuffer in, int at) {
		byte[] type = new byte[4];
		in.get(at + 4, type);
		return new String(type, StandardCharsets.US_ASCII);
	}

	private static final class BitReader {

		private final byte[] bytes;

		private int bit;

		BitReader(byte[] bytes, int skipBytes) {
			this.bytes = bytes;
			this.bit = skipBytes * 8;
		}

		int u(int count) {
			int value = 0;
			for (int i = 0; i < count; i++) {
				int b = (this.bytes[this.bit / 8] >> (7 - this.bit % 8)) & 1;
				value = (value << 1) | b;
				this.bit++;
			}
			return value;
		}

		int ue() {
			int zeros = 0;
			while (u(1) == 0) {
				zeros++;
			}
			return (1 << zeros) - 1 + u(zeros);
		}

	}

}
