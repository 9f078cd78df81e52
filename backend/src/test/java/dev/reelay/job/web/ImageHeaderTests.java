package dev.reelay.job.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageHeaderTests {

	@Test
	void readsTheSizeOfPngAndJpegAsImageIoWritesThem() throws IOException {
		assertThat(ImageHeader.read(encode(640, 360, "png"))).contains(new ImageHeader("image/png", 640, 360));
		assertThat(ImageHeader.read(encode(1280, 720, "jpeg"))).contains(new ImageHeader("image/jpeg", 1280, 720));
	}

	@Test
	void readsTheThreeKindsOfWebp() {
		ByteBuffer lossy = webp("VP8 ", 30);
		lossy.putShort(26, (short) 800).putShort(28, (short) 600);
		assertThat(ImageHeader.read(lossy.array())).contains(new ImageHeader("image/webp", 800, 600));

		ByteBuffer lossless = webp("VP8L", 25);
		lossless.putInt(21, (1024 - 1) | ((768 - 1) << 14));
		assertThat(ImageHeader.read(lossless.array())).contains(new ImageHeader("image/webp", 1024, 768));

		ByteBuffer extended = webp("VP8X", 30);
		extended.put(24, (byte) 0x7f).put(25, (byte) 0x07).put(26, (byte) 0); // 1919 + 1
		extended.put(27, (byte) 0x37).put(28, (byte) 0x04).put(29, (byte) 0); // 1079 + 1
		assertThat(ImageHeader.read(extended.array())).contains(new ImageHeader("image/webp", 1920, 1080));
	}

	@Test
	void refusesWhatIsNotAReadableImage() throws IOException {
		byte[] png = encode(64, 64, "png");
		assertThat(ImageHeader.read(Arrays.copyOf(png, 20))).as("cut inside the header").isEmpty();
		assertThat(ImageHeader.read("GIF89a....".getBytes(StandardCharsets.US_ASCII))).isEmpty();
		assertThat(ImageHeader.read(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9 })).isEmpty();
		assertThat(ImageHeader.read(webp("VP9 ", 30).array())).as("an unknown WebP chunk").isEmpty();
		assertThat(ImageHeader.read(new byte[0])).isEmpty();
		byte[] zeroWide = png.clone();
		ByteBuffer.wrap(zeroWide).putInt(16, 0);
		assertThat(ImageHeader.read(zeroWide)).as("a zero-pixel side").isEmpty();
	}

	private static ByteBuffer webp(String chunk, int length) {
		ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
		bytes.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(length - 8);
		bytes.put("WEBP".getBytes(StandardCharsets.US_ASCII)).put(chunk.getBytes(StandardCharsets.US_ASCII));
		return bytes;
	}

	private static byte[] encode(int width, int height, String format) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), format, out);
		return out.toByteArray();
	}

}
