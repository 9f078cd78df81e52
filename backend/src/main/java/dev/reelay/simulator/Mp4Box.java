package dev.reelay.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The few ISO-BMFF boxes of a one-track H.264 MP4 (ISO/IEC 14496-12 and -15): {@code ftyp}, then {@code moov}
 * before {@code mdat} so a player can start before the last byte, every sample in one chunk, the first one the only
 * sync sample. Times in milliseconds.
 */
final class Mp4Box {

	private static final int TIMESCALE = 1000;

	private static final int[] MATRIX = { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000 };

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private Mp4Box() {
	}

	static byte[] file(int width, int height, int sampleDuration, byte[] sps, byte[] pps, List<byte[]> samples) {
		byte[] ftyp = box("ftyp").ascii("isom").u32(512).ascii("isom").ascii("iso2").ascii("avc1").ascii("mp41").bytes();
		int mdatHeader = 8;
		// The chunk offset does not change the size of moov, so a first pass measures it.
		int moovSize = moov(width, height, sampleDuration, sps, pps, samples, 0).length;
		byte[] moov = moov(width, height, sampleDuration, sps, pps, samples, ftyp.length + moovSize + mdatHeader);
		Mp4Box mdat = box("mdat");
		samples.forEach(mdat::raw);
		ByteArrayOutputStream file = new ByteArrayOutputStream();
		file.writeBytes(ftyp);
		file.writeBytes(moov);
		file.writeBytes(mdat.bytes());
		return file.toByteArray();
	}

	/** An AVC sample: the NAL unit after its 4-byte length. */
	static byte[] lengthPrefixed(byte[] nal) {
		return new Mp4Box().u32(nal.length).raw(nal).out.toByteArray();
	}

	private static byte[] moov(int width, int height, int sampleDuration, byte[] sps, byte[] pps,
			List<byte[]> samples, int chunkOffset) {
		long duration = (long) sampleDuration * samples.size();
		byte[] mvhd = full("mvhd", 0, 0).u32(0)
			.u32(0)
			.u32(TIMESCALE)
			.u32(duration)
			.u32(0x00010000)
			.u16(0x0100)
			.zeros(10)
			.matrix()
			.zeros(24)
			.u32(2)
			.bytes();
		byte[] tkhd = full("tkhd", 0, 3).u32(0)
			.u32(0)
			.u32(1)
			.u32(0)
			.u32(duration)
			.zeros(8)
			.u16(0)
			.u16(0)
			.u16(0)
			.u16(0)
			.matrix()
			.u32((long) width << 16)
			.u32((long) height << 16)
			.bytes();
		byte[] mdhd = full("mdhd", 0, 0).u32(0).u32(0).u32(TIMESCALE).u32(duration).u16(0x55C4).u16(0).bytes();
		byte[] hdlr = full("hdlr", 0, 0).u32(0).ascii("vide").zeros(12).ascii("VideoHandler").zeros(1).bytes();
		byte[] vmhd = full("vmhd", 0, 1).u16(0).zeros(6).bytes();
		byte[] dinf = box("dinf").raw(full("dref", 0, 0).u32(1).raw(full("url ", 0, 1).bytes()).bytes()).bytes();
		byte[] avcC = box("avcC").u8(1)
			.u8(sps[1] & 0xFF)
			.u8(sps[2] & 0xFF)
			.u8(sps[3] & 0xFF)
			.u8(0xFF)
			.u8(0xE1)
			.u16(sps.length)
			.raw(sps)
			.u8(1)
			.u16(pps.length)
			.raw(pps)
			.bytes();
		byte[] avc1 = box("avc1").zeros(6)
			.u16(1)
			.zeros(16)
			.u16(width)
			.u16(height)
			.u32(0x00480000)
			.u32(0x00480000)
			.u32(0)
			.u16(1)
			.zeros(32)
			.u16(0x0018)
			.u16(0xFFFF)
			.raw(avcC)
			.bytes();
		byte[] stsd = full("stsd", 0, 0).u32(1).raw(avc1).bytes();
		byte[] stts = full("stts", 0, 0).u32(1).u32(samples.size()).u32(sampleDuration).bytes();
		byte[] stss = full("stss", 0, 0).u32(1).u32(1).bytes();
		byte[] stsc = full("stsc", 0, 0).u32(1).u32(1).u32(samples.size()).u32(1).bytes();
		Mp4Box stsz = full("stsz", 0, 0).u32(0).u32(samples.size());
		samples.forEach((sample) -> stsz.u32(sample.length));
		byte[] stco = full("stco", 0, 0).u32(1).u32(chunkOffset).bytes();
		byte[] stbl = box("stbl").raw(stsd).raw(stts).raw(stss).raw(stsc).raw(stsz.bytes()).raw(stco).bytes();
		byte[] minf = box("minf").raw(vmhd).raw(dinf).raw(stbl).bytes();
		byte[] mdia = box("mdia").raw(mdhd).raw(hdlr).raw(minf).bytes();
		byte[] trak = box("trak").raw(tkhd).raw(mdia).bytes();
		return box("moov").raw(mvhd).raw(trak).bytes();
	}

	private static Mp4Box box(String type) {
		// The size is filled in by bytes().
		return new Mp4Box().u32(0).ascii(type);
	}

	private static Mp4Box full(String type, int version, int flags) {
		return box(type).u8(version).u8(flags >>> 16).u16(flags & 0xFFFF);
	}

	private Mp4Box u8(int value) {
		this.out.write(value);
		return this;
	}

	private Mp4Box u16(int value) {
		return u8(value >>> 8).u8(value & 0xFF);
	}

	private Mp4Box u32(long value) {
		return u16((int) (value >>> 16) & 0xFFFF).u16((int) value & 0xFFFF);
	}

	private Mp4Box zeros(int count) {
		this.out.writeBytes(new byte[count]);
		return this;
	}

	private Mp4Box ascii(String text) {
		this.out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
		return this;
	}

	private Mp4Box raw(byte[] bytes) {
		this.out.writeBytes(bytes);
		return this;
	}

	private Mp4Box matrix() {
		for (int value : MATRIX) {
			u32(value & 0xFFFFFFFFL);
		}
		return this;
	}

	private byte[] bytes() {
		byte[] bytes = this.out.toByteArray();
		int size = bytes.length;
		bytes[0] = (byte) (size >>> 24);
		bytes[1] = (byte) (size >>> 16);
		bytes[2] = (byte) (size >>> 8);
		bytes[3] = (byte) size;
		return bytes;
	}

}
