package dev.reelay.provider;

/** A job names a provider instance that is not configured (any more). */
public class UnknownProviderException extends RuntimeException {

	public UnknownProviderException(String instance) {
		super("No provider instance named '" + instance + "' is configured");
	}

}
