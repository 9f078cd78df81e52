package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import dev.reelay.tenant.CallerTenant;
import tools.jackson.databind.json.JsonMapper;

/** Events and messages for tests that need no database. */
final class TestMessages {

	static final StreamSettings SETTINGS = new StreamSettings(Duration.ofSeconds(15), Duration.ofSeconds(3),
			Duration.ofSeconds(2), Duration.ofMillis(25), Duration.ofSeconds(10), 500, 8, Duration.ofSeconds(30),
			Duration.ofDays(7), Duration.ofMinutes(10), 10_000, 100);

	static final StreamMessages MESSAGES = new StreamMessages(SETTINGS, JsonMapper.builder().build());

	private TestMessages() {
	}

	static Outgoing event(long id, UUID job, JobEventType type) {
		JobStatus status = switch (type) {
			case QUEUED -> JobStatus.QUEUED;
			case SUBMITTED -> JobStatus.SUBMITTED;
			case PROGRESS -> JobStatus.IN_PROGRESS;
			case COMPLETED -> JobStatus.COMPLETED;
			case FAILED -> JobStatus.FAILED;
			case CANCELED -> JobStatus.CANCELED;
			case DELETED -> JobStatus.COMPLETED;
		};
		return MESSAGES.event(new JobEvent(id, job, CallerTenant.LOCAL, type, status, "sim-video", "simulator",
				"{\"id\":\"" + job + "\",\"n\":" + id + "}", Instant.EPOCH));
	}

	static Outgoing progress(long id, UUID job) {
		return event(id, job, JobEventType.PROGRESS);
	}

}
