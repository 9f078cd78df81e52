package dev.reelay.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** The ready line names the address to open, with the port the server actually took. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ReadyLineTests {

	@LocalServerPort
	private int port;

	@Autowired
	private ReadyLine ready;

	@Test
	void announcesTheAddressWithTheActualPortOnceReady() {
		assertThat(this.ready.url()).isEqualTo("http://localhost:" + this.port + "/");
	}

	@Test
	void theLineSaysWhatToOpen(CapturedOutput output) {
		new ReadyLine().announce(18080);
		assertThat(output.getOut()).contains("Reelay is ready: open http://localhost:18080/ in a browser");
	}

}
