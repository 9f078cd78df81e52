package dev.reelay.web;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Hooks;

import org.springframework.stereotype.Component;

/**
 * Reactor's last word on an error that arrived after its stream had ended, which it logs at ERROR by default. Reactor
 * Netty signals a request body's failure twice: once while the body is read (the API answers it) and again when the
 * exchange ends, and the second signal is dropped. When that failure is the client's (it hung up, or its body stopped
 * coming) it is logged at DEBUG; anything else stays an ERROR, as before. Installed once per JVM: the hook is global
 * and cumulative.
 */
@Component
class DroppedErrors {

	private static final Logger log = LoggerFactory.getLogger(DroppedErrors.class);

	private static final AtomicBoolean INSTALLED = new AtomicBoolean();

	DroppedErrors() {
		if (INSTALLED.compareAndSet(false, true)) {
			Hooks.onErrorDropped(DroppedErrors::dropped);
		}
	}

	static void dropped(Throwable error) {
		if (ClientAborts.isClientGone(error) || ClientAborts.isBodyTimeout(error)) {
			log.debug("the client's failure arrived again after its request had ended: {}", error.toString());
		}
		else {
			log.error("an error arrived after its stream had ended", error);
		}
	}

}
