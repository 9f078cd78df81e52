package dev.reelay.simulator;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's clip: a test pattern (grey bars over a bar that fills from left to right as the clip plays) of
 * exactly the size and length that were asked for, as an H.264 (Constrained Baseline) MP4 that browsers play.
 *
 * <p>Why an encoder here: a clip per size and length would bloat the repository, there is no ffmpeg on a fresh
 * machine, and no maintained pure-Java H.264 encoder on Maven Central. A flat-colour picture needs only a sliver of
 * H.264, though: every 16x16 macroblock is intra-coded with DC prediction and a single DC coefficient, which makes
 * it exactly one grey level (quantiser 28 makes one level step one grey step; the deblocking filter is off so
 * nothing blurs the edges). Later frames skip every macroblock but those the progress bar newly covers. The result
 * is a few kilobytes whatever the size, made in milliseconds.
 */
final class TestPatternClip {

	/** Frames per second: enough to see the bar move, few enough to keep the file tiny. */
	static final int FPS = 8;

	private static final int QP = 28;

	private static final int[] BARS = { 235, 200, 165, 130, 95, 60, 25 };

	private static final int BACKGROUND = 16;

	private static final int FILL = 235;

	private static final int LOG2_MAX_FRAME_NUM = 8;

	private final int widthMbs;

	private final int heightMbs;

	private final int frames;

	/** The picture as the decoder will have it: one grey level per macroblock. */
	private final int[][] luma;

	private TestPatternClip(int width, int height, int seconds) {
		this.widthMbs = width / 16;
		this.heightMbs = height / 16;
		this.frames = seconds * FPS;
		this.luma = new int[this.heightMbs][this.widthMbs];
	}

	/**
	 * An MP4 of {@code width}x{@code height} pixels (multiples of 16) lasting {@code seconds}.
	 */
	static byte[] mp4(int width, int height, int seconds) {
		if (width <= 0 || height <= 0 || width % 16 != 0 || height % 16 != 0 || seconds <= 0) {
			throw new IllegalArgumentException("no clip of " + width + "x" + height + " for " + seconds + " s");
		}
		TestPatternClip clip = new TestPatternClip(width, height, seconds);
		List<byte[]> samples = new ArrayList<>();
		for (int frame = 0; frame < clip.frames; frame++) {
			samples.add(Mp4Box.lengthPrefixed(clip.frame(frame)));
		}
		return Mp4Box.file(width, height, 1000 / FPS, clip.sps(), clip.pps(), samples);
	}

	private int target(int row, int column, int frame) {
		int bandTop = this.heightMbs * 3 / 4 - 1;
		if (row < this.heightMbs * 2 / 3) {
			return BARS[column * BARS.length / this.widthMbs];
		}
		if (row >= bandTop && row < bandTop + Math.max(1, this.heightMbs / 12)) {
			int filled = (int) Math.ceil((frame + 1) * (double) this.widthMbs / this.frames);
			return (column < filled) ? FILL : BACKGROUND;
		}
		return BACKGROUND;
	}

	/** One frame's slice NAL unit: the first an IDR picture, the others P pictures. */
	private byte[] frame(int frame) {
		boolean idr = frame == 0;
		Bits bits = new Bits();
		bits.ue(0); // first_mb_in_slice
		bits.ue(idr ? 7 : 5); // slice_type: I or P, all slices of the picture alike
		bits.ue(0); // pic_parameter_set_id
		bits.u(frame % (1 << LOG2_MAX_FRAME_NUM), LOG2_MAX_FRAME_NUM); // frame_num
		if (idr) {
			bits.ue(0); // idr_pic_id
			bits.u(0, 1); // no_output_of_prior_pics_flag
			bits.u(0, 1); // long_term_reference_flag
		}
		else {
			bits.u(0, 1); // num_ref_idx_active_override_flag
			bits.u(0, 1); // ref_pic_list_modification_flag_l0
			bits.u(0, 1); // adaptive_ref_pic_marking_mode_flag
		}
		bits.se(0); // slice_qp_delta
		bits.ue(1); // disable_deblocking_filter_idc: off
		int skipped = 0;
		for (int row = 0; row < this.heightMbs; row++) {
			for (int column = 0; column < this.widthMbs; column++) {
				int wanted = target(row, column, frame);
				if (!idr && this.luma[row][column] == wanted) {
					skipped++; // P_Skip: the macroblock stays as it was
					continue;
				}
				if (!idr) {
					bits.ue(skipped); // mb_skip_run
					skipped = 0;
				}
				intraMacroblock(bits, row, column, wanted, idr);
			}
		}
		if (skipped > 0) {
			bits.ue(skipped);
		}
		bits.trailing();
		return nal(idr ? 0x65 : 0x41, bits.bytes());
	}

	/** I_16x16, DC prediction, no AC, no chroma: a flat macroblock of exactly {@code wanted}. */
	private void intraMacroblock(Bits bits, int row, int column, int wanted, boolean inIntraSlice) {
		int prediction = prediction(row, column);
		int level = wanted - prediction;
		bits.ue(inIntraSlice ? 3 : 8); // mb_type I_16x16_2_0_0 (prediction mode DC); in a P slice after the 5 P types
		bits.ue(0); // intra_chroma_pred_mode: DC (chroma stays neutral grey)
		bits.se(0); // mb_qp_delta
		// Intra16x16DCLevel; nC is 0 since no neighbour codes AC coefficients.
		if (level == 0) {
			bits.u(1, 1); // coeff_token: TotalCoeff 0
		}
		else if (Math.abs(level) == 1) {
			bits.u(1, 2); // coeff_token: TotalCoeff 1, TrailingOnes 1
			bits.u((level < 0) ? 1 : 0, 1); // trailing_ones_sign_flag
			bits.u(1, 1); // total_zeros 0
		}
		else {
			bits.u(0b000101, 6); // coeff_token: TotalCoeff 1, TrailingOnes 0
			level(bits, level);
			bits.u(1, 1); // total_zeros 0
		}
		this.luma[row][column] = wanted;
	}

	/**
	 * The first level after no trailing ones, suffixLength 0 (8.3 / 9.2.2.1 of H.264): the decoder adds 2 to its
	 * code, since a level of magnitude 1 would have been a trailing one.
	 */
	private static void level(Bits bits, int level) {
		int code = ((level > 0) ? 2 * level - 2 : -2 * level - 1) - 2;
		if (code < 14) {
			bits.u(1, code + 1); // level_prefix = code
		}
		else if (code < 30) {
			bits.u(1, 15); // level_prefix 14
			bits.u(code - 14, 4);
		}
		else {
			bits.u(1, 16); // level_prefix 15
			bits.u(code - 30, 12);
		}
	}

	/** Intra 16x16 DC prediction over flat neighbours: their mean, or the one there is, or mid-grey. */
	private int prediction(int row, int column) {
		boolean top = row > 0;
		boolean left = column > 0;
		if (top && left) {
			return (this.luma[row - 1][column] + this.luma[row][column - 1] + 1) >> 1;
		}
		if (top) {
			return this.luma[row - 1][column];
		}
		return left ? this.luma[row][column - 1] : 128;
	}

	private byte[] sps() {
		Bits bits = new Bits();
		bits.u(66, 8); // profile_idc: Baseline
		bits.u(0xC0, 8); // constraint_set0 and set1: Constrained Baseline
		bits.u(40, 8); // level_idc 4.0: up to 8192 macroblocks a frame (1792x1024 has 7168)
		bits.ue(0); // seq_parameter_set_id
		bits.ue(LOG2_MAX_FRAME_NUM - 4);
		bits.ue(2); // pic_order_cnt_type 2: output order is decoding order
		bits.ue(1); // max_num_ref_frames
		bits.u(0, 1); // gaps_in_frame_num_value_allowed_flag
		bits.ue(this.widthMbs - 1);
		bits.ue(this.heightMbs - 1);
		bits.u(1, 1); // frame_mbs_only_flag
		bits.u(1, 1); // direct_8x8_inference_flag
		bits.u(0, 1); // frame_cropping_flag
		bits.u(0, 1); // vui_parameters_present_flag
		bits.trailing();
		return nal(0x67, bits.bytes());
	}

	private byte[] pps() {
		Bits bits = new Bits();
		bits.ue(0); // pic_parameter_set_id
		bits.ue(0); // seq_parameter_set_id
		bits.u(0, 1); // entropy_coding_mode_flag: CAVLC
		bits.u(0, 1); // bottom_field_pic_order_in_frame_present_flag
		bits.ue(0); // num_slice_groups_minus1
		bits.ue(0); // num_ref_idx_l0_default_active_minus1
		bits.ue(0); // num_ref_idx_l1_default_active_minus1
		bits.u(0, 1); // weighted_pred_flag
		bits.u(0, 2); // weighted_bipred_idc
		bits.se(QP - 26); // pic_init_qp_minus26
		bits.se(0); // pic_init_qs_minus26
		bits.se(0); // chroma_qp_index_offset
		bits.u(1, 1); // deblocking_filter_control_present_flag
		bits.u(0, 1); // constrained_intra_pred_flag
		bits.u(0, 1); // redundant_pic_cnt_present_flag
		bits.trailing();
		return nal(0x68, bits.bytes());
	}

	/** A NAL unit: its header byte, then the payload with emulation prevention bytes inserted. */
	private static byte[] nal(int header, byte[] payload) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 16);
		out.write(header);
		int zeros = 0;
		for (byte b : payload) {
			if (zeros >= 2 && (b & 0xFF) <= 3) {
				out.write(3);
				zeros = 0;
			}
			out.write(b);
			zeros = (b == 0) ? zeros + 1 : 0;
		}
		return out.toByteArray();
	}

	/** An RBSP written bit by bit, with the Exp-Golomb codes of H.264. */
	private static final class Bits {

		private final ByteArrayOutputStream out = new ByteArrayOutputStream();

		private int current;

		private int filled;

		void u(long value, int count) {
			for (int i = count - 1; i >= 0; i--) {
				this.current = (this.current << 1) | (int) ((value >>> i) & 1);
				if (++this.filled == 8) {
					this.out.write(this.current);
					this.current = 0;
					this.filled = 0;
				}
			}
		}

		void ue(int value) {
			long code = value + 1L;
			int length = 64 - Long.numberOfLeadingZeros(code);
			u(0, length - 1);
			u(code, length);
		}

		void se(int value) {
			ue((value > 0) ? 2 * value - 1 : -2 * value);
		}

		void trailing() {
			u(1, 1);
			while (this.filled != 0) {
				u(0, 1);
			}
		}

		byte[] bytes() {
			return this.out.toByteArray();
		}

	}

}
