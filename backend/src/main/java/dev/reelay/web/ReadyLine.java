package dev.reelay.web;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * One line when Reelay is ready, naming the address to open with the port it actually listens on (a random port,
 * {@code SERVER_PORT}, or 8080), so nobody has to find it among the start-up lines.
 */
@Component
class ReadyLine {

	private static final Logger log = LoggerFactory.getLogger(ReadyLine.class);

	private volatile @Nullable String url;

	@EventListener
	void ready(ApplicationReadyEvent event) {
		if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
			announce(web.getWebServer().getPort());
		}
	}

	void announce(int port) {
		// localhost: local mode answers only loopback addresses, and it is what a browser on this machine opens.
		this.url = "http://localhost:" + port + "/";
		log.info("Reelay is ready: open {} in a browser (API reference at {}swagger-ui.html)", this.url, this.url);
	}

	/** The address announced, once ready. */
	@Nullable String url() {
		return this.url;
	}

}
