package dev.reelay.provider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every provider adapter passes, each against a stand-in of its HTTP API over real HTTP: the request
 * it sends, how it maps the provider's states onto Reelay's, how it downloads, and how it classifies failures.
 * Subclasses script the stand-in. The cases every stand-in can play are here; the rest come with the interfaces
 * below, which a family implements when its stand-in can be made to answer that way (the simulator cannot be told
 * to fail a given job), so a case that does not apply is not run at all rather than faked or skipped.
 */
public abstract class VideoProviderContractTests {

	protected static final Duration WAIT = Duration.ofSeconds(10);

	/** The adapter under test, pointed at the stand-in. */
	protected abstract VideoProvider provider();

	/** The same adapter pointed at a base URL where nothing listens. */
	protected abstract VideoProvider unreachableProvider();

	/** A text-to-video request the stand-in's model accepts. */
	protected abstract GenerationRequest request();

	/** Makes the stand-in accept the next submit. */
	protected abstract void willAccept();

	/** Asserts the exact create request(s) the stand-in received for {@code request}. */
	protected abstract void verifySubmitted(GenerationRequest request) throws Exception;

	/** The Reelay states this family can report, in lifecycle order (terminal last). */
	protected abstract List<RemoteStatus> documentedStates();

	/** Makes the next status call for {@code remoteId} report {@code status}; false when it cannot. */
	protected abstract boolean willReport(String remoteId, RemoteStatus status);

	/** Makes the content call(s) for a completed {@code remoteId} serve the video; returns its bytes. */
	protected abstract byte[] willServeVideo(String remoteId);

	@Test
	void submitSendsTheDocumentedRequestAndReturnsTheRemoteId() throws Exception {
		GenerationRequest request = request();
		willAccept();
		StepVerifier.create(provider().submit(request)).assertNext((job) -> {
			assertThat(job.remoteId()).isNotBlank();
			assertThat(job.status()).isIn(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS);
			assertThat(job.error()).isNull();
		}).expectComplete().verify(WAIT);
		verifySubmitted(request);
	}

	@Test
	void everyDocumentedStateMapsOntoReelays() {
		String remoteId = submitted();
		for (RemoteStatus state : documentedStates()) {
			assertThat(willReport(remoteId, state)).as("stand-in reports %s", state).isTrue();
			StepVerifier.create(provider().status(remoteId)).assertNext((job) -> {
				assertThat(job.status()).as("mapped state").isEqualTo(state);
				assertThat(job.progress()).isBetween(0, 100);
				if (state == RemoteStatus.FAILED) {
					assertThat(job.error()).isNotNull();
					assertThat(job.error().code()).isNotBlank();
					assertThat(job.error().message()).isNotBlank();
				}
				else {
					assertThat(job.error()).isNull();
				}
				if (state == RemoteStatus.COMPLETED) {
					assertThat(job.progress()).isEqualTo(100);
				}
			}).expectComplete().verify(WAIT);
		}
	}

	@Test
	void theFinishedVideoIsStreamed() {
		String remoteId = submitted();
		willReport(remoteId, RemoteStatus.COMPLETED);
		StepVerifier.create(provider().status(remoteId))
			.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.COMPLETED))
			.expectComplete()
			.verify(WAIT);
		byte[] expected = willServeVideo(remoteId);
		StepVerifier.create(provider().content(remoteId).flatMap((content) -> {
			assertThat(content.contentType()).startsWith("video/");
			return DataBufferUtils.join(content.body()).map((buffer) -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				DataBufferUtils.release(buffer);
				return bytes;
			});
		})).assertNext((bytes) -> assertThat(bytes).isEqualTo(expected)).expectComplete().verify(WAIT);
	}

	@Test
	void anUnreachableProviderIsRetryable() {
		StepVerifier.create(unreachableProvider().status("job-1"))
			.expectErrorSatisfies((error) -> {
				assertThat(error).isInstanceOf(ProviderException.class);
				assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
				assertThat(((ProviderException) error).httpStatus()).isZero();
			})
			.verify(WAIT);
	}

	/** Nothing listens: no connection, so nothing was sent, and a create failing so may move to another route. */
	@Test
	void aRefusedConnectionIsKnownNotToHaveSentAnything() {
		StepVerifier.create(unreachableProvider().submit(request()))
			.expectErrorSatisfies((error) -> {
				assertThat(error).isInstanceOf(ProviderException.class);
				assertThat(((ProviderException) error).notSent()).as("known not sent").isTrue();
				assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			})
			.verify(WAIT);
	}

	/** Submits {@link #request()} and returns the remote id the stand-in assigned. */
	protected String submitted() {
		willAccept();
		RemoteJob job = provider().submit(request()).block(WAIT);
		assertThat(job).isNotNull();
		return job.remoteId();
	}

	protected static void expectError(Mono<?> call, ProviderException.Kind kind, int status) {
		StepVerifier.create(call).expectErrorSatisfies((error) -> {
			assertThat(error).isInstanceOf(ProviderException.class);
			ProviderException failure = (ProviderException) error;
			assertThat(failure.kind()).as("kind of HTTP %s", status).isEqualTo(kind);
			assertThat(failure.isRetryable()).isEqualTo(kind != ProviderException.Kind.PERMANENT);
			assertThat(failure.code()).isNotBlank();
			assertThat(failure.getMessage()).isNotBlank().doesNotContain("Exception");
			if (kind == ProviderException.Kind.RATE_LIMITED) {
				assertThat(failure.retryAfter()).isNotNull();
			}
		}).verify(WAIT);
	}

	protected static String utf8(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/** Families whose stand-in can answer any HTTP status in the provider's own error shape. */
	public interface AnswersHttpErrors {

		/** Makes the next call fail with {@code httpStatus} in the provider's error shape. */
		void willFail(int httpStatus);

		@Test
		default void rateLimitsAreRateLimitedWithTheServersWait() {
			willFail(429);
			expectError(contract(this).provider().status("job-1"), ProviderException.Kind.RATE_LIMITED, 429);
		}

		@Test
		default void serverErrorsAreRetryable() {
			for (int status : new int[] { 408, 409, 500, 502, 503 }) {
				willFail(status);
				expectError(contract(this).provider().status("job-1"), ProviderException.Kind.RETRYABLE, status);
			}
		}

		@Test
		default void requestErrorsArePermanentWithPlainWords() {
			for (int status : new int[] { 400, 401, 403 }) {
				willFail(status);
				expectError(contract(this).provider().submit(contract(this).request()), ProviderException.Kind.PERMANENT,
						status);
			}
		}

	}

	/** Families with named states, whose stand-in can report one the provider has not documented. */
	public interface ReportsUnknownStates {

		/** Makes the next status call report a state the provider has not documented. */
		void willReportUnknownState(String remoteId);

		@Test
		default void anUndocumentedStateIsKeptAsUnknown() {
			String remoteId = contract(this).submitted();
			willReportUnknownState(remoteId);
			StepVerifier.create(contract(this).provider().status(remoteId))
				.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.UNKNOWN))
				.expectComplete()
				.verify(WAIT);
		}

	}

	/** Families whose stand-in can be made to answer late. */
	public interface AnswersSlowly {

		/** Makes the stand-in's next answer come only after far longer than {@link #impatientProvider} waits. */
		void answerNextSlowly();

		/** The adapter with a timeout far shorter than the stand-in's slow answer. */
		VideoProvider impatientProvider();

		@Test
		default void aProviderThatDoesNotAnswerInTimeIsRetryable() {
			answerNextSlowly();
			StepVerifier.create(impatientProvider().status("job-1"))
				.expectErrorSatisfies((error) -> {
					assertThat(error).isInstanceOf(ProviderException.class);
					assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
					assertThat(((ProviderException) error).code()).isEqualTo("provider_unreachable");
				})
				.verify(WAIT);
		}

	}

	/** The contract test an optional part is mixed into: its cases drive the same adapter and stand-in. */
	private static VideoProviderContractTests contract(Object part) {
		return (VideoProviderContractTests) part;
	}

}
