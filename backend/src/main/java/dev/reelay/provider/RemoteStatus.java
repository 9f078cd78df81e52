package dev.reelay.provider;

/** Provider states as Reelay understands them; a state a provider adds later parses as UNKNOWN, never fails. */
public enum RemoteStatus {

	QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELED, UNKNOWN

}
