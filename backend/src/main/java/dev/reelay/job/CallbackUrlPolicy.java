package dev.reelay.job;

/**
 * Decides at submission whether a job's {@code callback_url} may be stored. Implemented where the webhooks are
 * sent, so the rules at submission and at delivery are the same.
 */
public interface CallbackUrlPolicy {

	/**
	 * The URL to store (trimmed), or an {@link IllegalArgumentException} whose message completes the sentence
	 * "callback_url ..." and never repeats the URL.
	 */
	String check(String url);

}
