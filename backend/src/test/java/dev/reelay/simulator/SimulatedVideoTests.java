package dev.reelay.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.reelay.simulator.SimulatedVideo.Status;
import dev.reelay.simulator.SimulatedVideo.VideoStatus;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedVideoTests {

	private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

	@Test
	void completedOutcomeWalksQueuedInProgressCompleted() {
		SimulatedVideo video = video(Outcome.COMPLETED);

		assertThat(at(video, 0)).isEqualTo(new Status(VideoStatus.QUEUED, 0, null, null, null));
		assertThat(at(video, 4_999).status()).isEqualTo(VideoStatus.QUEUED);
		assertThat(at(video, 5_000)).isEqualTo(new Status(VideoStatus.IN_PROGRESS, 5, null, null, null));
		assertThat(at(video, 99_999)).isEqualTo(new Status(VideoStatus.IN_PROGRESS, 99, null, null, null));
		Instant done = CREATED.plusSeconds(100);
		assertThat(at(video, 100_000))
			.isEqualTo(new Status(VideoStatus.COMPLETED, 100, done, done.plus(Duration.ofDays(1)), null));
		assertThat(at(video, 1_000_000).completedAt()).isEqualTo(done);
	}

	@Test
	void clockBeforeCreationCountsAsJustCreated() {
		assertThat(at(video(Outcome.COMPLETED), -5_000).status()).isEqualTo(VideoStatus.QUEUED);
	}

	@Test
	void failedOutcomeFailsAtSixtyPercent() {
		SimulatedVideo video = video(Outcome.FAILED);

		assertThat(at(video, 59_999).status()).isEqualTo(VideoStatus.IN_PROGRESS);
		Status failed = at(video, 60_000);
		assertThat(failed.status()).isEqualTo(VideoStatus.FAILED);
		assertThat(failed.progress()).isEqualTo(60);
		assertThat(failed.completedAt()).isEqualTo(CREATED.plusSeconds(60));
		assertThat(failed.expiresAt()).isNull();
		assertThat(failed.error().code()).isEqualTo("internal_error");
		assertThat(at(video, 500_000)).isEqualTo(failed);
	}

	@Test
	void moderatedOutcomeFailsWhenItLeavesTheQueue() {
		SimulatedVideo video = video(Outcome.MODERATION_BLOCKED);

		assertThat(at(video, 4_999).status()).isEqualTo(VideoStatus.QUEUED);
		Status failed = at(video, 5_000);
		assertThat(failed.status()).isEqualTo(VideoStatus.FAILED);
		assertThat(failed.progress()).isZero();
		assertThat(failed.error().code()).isEqualTo("moderation_blocked");
	}

	@Test
	void expiryIsOneDayAfterCompletion() {
		Status done = at(video(Outcome.COMPLETED), 100_000);

		assertThat(done.expiredAt(CREATED.plusSeconds(100).plus(Duration.ofDays(1)).minusMillis(1))).isFalse();
		assertThat(done.expiredAt(CREATED.plusSeconds(100).plus(Duration.ofDays(1)))).isTrue();
	}

	@Test
	void enumListsReadLikeUpstreamMessages() {
		assertThat(ApiError.quoted(List.of("4", "8", "12"), "or")).isEqualTo("'4', '8', or '12'");
		assertThat(ApiError.quoted(List.of("asc", "desc"), "and")).isEqualTo("'asc' and 'desc'");
	}

	private static Status at(SimulatedVideo video, long millisAfterCreate) {
		return video.statusAt(CREATED.plusMillis(millisAfterCreate));
	}

	private static SimulatedVideo video(Outcome outcome) {
		return new SimulatedVideo("video_1", "sora-2", "A cat", "720x1280", "4", false, null, CREATED,
				Duration.ofSeconds(100), outcome);
	}

}
