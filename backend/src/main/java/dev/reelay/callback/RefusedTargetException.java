package dev.reelay.callback;

import java.io.IOException;

/** A webhook target that may not be called: its host resolves to a non-public address. Retried like a failure. */
final class RefusedTargetException extends IOException {

	RefusedTargetException(String message) {
		super(message);
	}

}
