package dev.reelay.job;

import java.util.UUID;

/** No job with that id (or not one the caller may see). */
public class JobNotFoundException extends RuntimeException {

	public JobNotFoundException(UUID id) {
		super("No job with id " + id);
	}

}
