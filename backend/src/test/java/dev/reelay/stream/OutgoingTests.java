package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One event's bytes, encoded once, written to many connections. */
class OutgoingTests {

	@Test
	void everyConnectionReadsTheWholeFrameFromTheSameNativeBytes() {
		Outgoing message = TestMessages.progress(7, UUID.randomUUID());
		ByteBuf first = message.wire();
		ByteBuf second = message.wire();
		assertThat(first.isDirect()).as("written by the socket as it is, not copied per connection").isTrue();
		// Reading one (as a connection's write does) leaves the other whole.
		byte[] read = new byte[first.readableBytes()];
		first.readBytes(read);
		assertThat(read).isEqualTo(message.frame());
		assertThat(first.readableBytes()).isZero();
		assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo(new String(message.frame(), StandardCharsets.UTF_8));
		assertThat(second.memoryAddress()).isEqualTo(first.memoryAddress());
	}

	@Test
	void aConnectionReleasingWhatItWroteCannotFreeTheSharedBytes() {
		Outgoing message = TestMessages.progress(8, UUID.randomUUID());
		for (int i = 0; i < 10; i++) {
			ByteBuf written = message.wire();
			written.skipBytes(written.readableBytes());
			written.release();
		}
		assertThat(message.wire().toString(StandardCharsets.UTF_8))
			.isEqualTo(new String(message.frame(), StandardCharsets.UTF_8));
	}

}
