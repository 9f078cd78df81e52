package dev.reelay.job;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobStatusTests {

	@Test
	void terminalStatesAllowNoFurtherTransition() {
		for (JobStatus terminal : new JobStatus[] { JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED }) {
			for (JobStatus next : JobStatus.values()) {
				assertThat(terminal.canTransitionTo(next)).as("%s -> %s", terminal, next).isFalse();
			}
		}
	}

	@Test
	void everyActiveStateCanBeCanceledOrFail() {
		for (JobStatus active : JobStatus.active()) {
			assertThat(active.canTransitionTo(JobStatus.CANCELED)).isTrue();
			assertThat(active.canTransitionTo(JobStatus.FAILED)).isTrue();
		}
	}

	@Test
	void aJobIsCompletedOnlyAfterItsVideoWasDownloaded() {
		for (JobStatus status : JobStatus.values()) {
			assertThat(status.canTransitionTo(JobStatus.COMPLETED)).as(status.name())
				.isEqualTo(status == JobStatus.DOWNLOADING);
		}
	}

	@Test
	void aSubmittedJobNeverGoesBackToTheQueue() {
		assertThat(JobStatus.SUBMITTED.canTransitionTo(JobStatus.QUEUED)).isFalse();
		assertThat(JobStatus.IN_PROGRESS.canTransitionTo(JobStatus.SUBMITTING)).isFalse();
	}

	@Test
	void wireNamesAreLowerSnakeCase() {
		assertThat(JobStatus.IN_PROGRESS.value()).isEqualTo("in_progress");
		assertThat(JobStatus.fromValue("in_progress")).isEqualTo(JobStatus.IN_PROGRESS);
	}

}
