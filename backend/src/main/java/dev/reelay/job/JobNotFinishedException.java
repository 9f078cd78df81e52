package dev.reelay.job;

/** A job that has not ended cannot be deleted: its generation may still be running (and billing) at a provider. */
public class JobNotFinishedException extends RuntimeException {

	public JobNotFinishedException(Job job) {
		super("Job " + job.id() + " is " + job.status().value()
				+ "; only a finished job can be deleted: cancel it first, then delete it");
	}

}
