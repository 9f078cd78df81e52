package dev.reelay.dispatch;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import dev.reelay.storage.StoredFile;
import dev.reelay.storage.VideoStorage;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** A thumbnail's tries on virtual time: spaced by backoff, and never longer in all than the timeout. */
class ThumbnailDownloadTests {

	private final ScriptedProvider provider = new ScriptedProvider();

	/** Counts what it is given and keeps nothing: the stores have their own contract test. */
	private final VideoStorage storage = new VideoStorage() {

		@Override
		public Mono<StoredFile> store(String name, String contentType, Flux<DataBuffer> body) {
			return DataBufferUtils.join(body).map((joined) -> {
				int length = joined.readableByteCount();
				DataBufferUtils.release(joined);
				return new StoredFile(name + ".webp", contentType, length, "sha");
			});
		}

		@Override
		public Mono<Flux<DataBuffer>> read(String location, long first, long last) {
			return Mono.empty();
		}

		@Override
		public Mono<Void> delete(String location) {
			return Mono.empty();
		}

	};

	@Test
	void failedTriesAreRepeatedAfterABackoffNotAtOnce() {
		this.provider.thumbnailFailures.set(2);
		ThumbnailDownload thumbnails = new ThumbnailDownload(this.storage,
				new ThumbnailSettings(3, Duration.ofSeconds(1), Duration.ofSeconds(8)));
		UUID job = UUID.randomUUID();
		StepVerifier.withVirtualTime(() -> thumbnails.fetch(job, "gen_1", this.provider))
			.expectSubscription()
			// The first retry waits at least half the base (Reactor's backoff jitters by up to 50 %).
			.expectNoEvent(Duration.ofMillis(499))
			.then(() -> assertThat(this.provider.thumbnailCalls).hasValue(1))
			.thenAwait(Duration.ofSeconds(5))
			.assertNext((stored) -> {
				assertThat(stored.location()).isEqualTo(job + ThumbnailDownload.SUFFIX + ".webp");
				assertThat(stored.length()).isEqualTo(ScriptedProvider.THUMBNAIL.length);
			})
			.verifyComplete();
		assertThat(this.provider.thumbnailCalls).hasValue(3);
	}

	@Test
	void triesStopWhenTheTimeIsUpHoweverManyAreLeft() {
		this.provider.thumbnailFailures.set(1_000);
		ThumbnailDownload thumbnails = new ThumbnailDownload(this.storage,
				new ThumbnailSettings(50, Duration.ofSeconds(1), Duration.ofSeconds(8)));
		StepVerifier.withVirtualTime(() -> thumbnails.fetch(UUID.randomUUID(), "gen_2", this.provider))
			.expectSubscription()
			.expectNoEvent(Duration.ofSeconds(8).minusMillis(1))
			.thenAwait(Duration.ofMillis(1))
			.expectError(TimeoutException.class)
			.verify(Duration.ofSeconds(5));
		assertThat(this.provider.thumbnailCalls.get()).isBetween(2, 6);
	}

	@Test
	void aFamilyWithoutThumbnailsIsNotAsked() {
		this.provider.offersThumbnail = false;
		ThumbnailDownload thumbnails = new ThumbnailDownload(this.storage,
				new ThumbnailSettings(3, Duration.ofSeconds(1), Duration.ofSeconds(8)));
		StepVerifier.create(thumbnails.fetch(UUID.randomUUID(), "gen_3", this.provider)).verifyComplete();
		assertThat(this.provider.thumbnailCalls).hasValue(0);
	}

}
