package dev.reelay.provider;

/** Whether a provider stopped a generation when asked; many families have no cancel at all. */
public enum CancelOutcome {

	CANCELED, UNSUPPORTED, ALREADY_FINISHED

}
