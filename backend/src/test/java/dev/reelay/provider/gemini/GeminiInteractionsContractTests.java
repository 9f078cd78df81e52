package dev.reelay.provider.gemini;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.StandardWebhooks;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** The gemini-interactions family against a stand-in of the Interactions API (docs/providers/gemini-interactions.md). */
class GeminiInteractionsContractTests extends StandInContractTests<InteractionsStandIn>
		implements VideoProviderContractTests.AnswersHttpErrors, VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	/** Generous, for a loaded machine's first requests; only the impatient adapter is meant to time out. */
	private static final Duration PATIENT = Duration.ofSeconds(30);

	GeminiInteractionsContractTests() {
		super(new InteractionsStandIn(), "/v1beta");
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return new ProviderFamilies().geminiInteractionsFamily(StandIn.webClients()).create("gemini-omni",
				StandIn.settings("gemini-interactions", baseUrl, List.of(), Map.of(), timeout));
	}

	@Override
	protected Duration patience() {
		return PATIENT;
	}

	private WebhookVerifier hooks(Map<String, String> options, List<String> secrets) {
		return new ProviderFamilies().geminiInteractionsFamily(StandIn.webClients()).webhooks("gemini-omni",
				StandIn.settings("gemini-interactions", this.api.url("/v1beta"), secrets, options, PATIENT),
				ProviderCallMeter.UNMETERED);
	}

	private VideoProvider provider(Map<String, String> options, List<String> secrets, Duration timeout) {
		// Spring's default in-memory limit (256 KB): a body buffered whole would fail on a real video.
		return new ProviderFamilies().geminiInteractionsFamily(StandIn.webClients()).create("gemini-omni",
				StandIn.settings("gemini-interactions", this.api.url("/v1beta"), secrets, options, timeout));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("gemini-omni-1.1-flash", "The fish leaps out of the water in slow motion", 8,
				"9:16", "1080p", null, 42L);
	}

	@Override
	protected void willAccept() {
		// The stand-in takes every well-formed create.
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		assertThat(this.api.creates).hasSize(1);
		RecordedRequest create = this.api.requests.get(0);
		assertThat(create.getMethod()).isEqualTo("POST");
		assertThat(create.getUrl().encodedPath()).isEqualTo("/v1beta/interactions");
		assertThat(create.getHeaders().get("x-goog-api-key")).isEqualTo(InteractionsStandIn.KEY);
		assertThat(create.getHeaders().get("Authorization")).isNull();
		JsonNode body = this.api.creates.get(0);
		assertThat(body.get("model").stringValue()).isEqualTo("gemini-omni-1.1-flash");
		assertThat(body.get("input").stringValue()).isEqualTo(request.prompt());
		assertThat(body.get("background").booleanValue()).isTrue();
		JsonNode format = body.get("response_format");
		assertThat(format.get("type").stringValue()).isEqualTo("video");
		assertThat(format.get("aspect_ratio").stringValue()).isEqualTo("9:16");
		assertThat(format.get("resolution").stringValue()).isEqualTo("1080p");
		assertThat(format.get("duration").stringValue()).isEqualTo("8s");
		assertThat(format.get("delivery").stringValue()).isEqualTo("uri");
		// Seed's effect on Omni is unconfirmed: sent only when options.send-seed says so.
		assertThat(body.has("generation_config")).isFalse();
		assertThat(body.has("webhook_config")).isFalse();
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED, RemoteStatus.FAILED,
				RemoteStatus.CANCELED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		InteractionsStandIn.Remote remote = this.api.remote(remoteId);
		switch (status) {
			case QUEUED -> remote.status = "queued";
			case IN_PROGRESS -> remote.status = "in_progress";
			case COMPLETED -> this.api.complete(remoteId, StandIn.VIDEO, false);
			case FAILED -> {
				remote.failure = "internal";
				remote.status = "failed";
			}
			case CANCELED -> remote.status = "cancelled";
			default -> {
				return false;
			}
		}
		return true;
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		this.api.complete(remoteId, StandIn.VIDEO, false);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		this.api.failNext(httpStatus);
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.remote(remoteId).status = "awaiting_review";
	}

	@Test
	void anImageTravelsInlineWithItsRoleInThePromptAndNegativesJoinThePrompt() {
		byte[] jpeg = { (byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3 };
		provider().submit(new GenerationRequest("gemini-omni-1.1-flash", "Animate this", 4, "16:9", "720p",
				"dialogue", null, new ImageInput.Upload(jpeg, "image/jpeg"), null)).block(WAIT);
		JsonNode input = this.api.creates.get(0).get("input");
		assertThat(input.get(0).get("type").stringValue()).isEqualTo("image");
		assertThat(input.get(0).get("mime_type").stringValue()).isEqualTo("image/jpeg");
		assertThat(Base64.getDecoder().decode(input.get(0).get("data").stringValue())).isEqualTo(jpeg);
		assertThat(input.get(1).get("text").stringValue()).isEqualTo("<FIRST_FRAME> Animate this\n\nAvoid: dialogue");
	}

	@Test
	void optionsAddTheSeedTheWebhookAndInlineDelivery() {
		VideoProvider configured = provider(Map.of("send-seed", "true", "webhook-url", "https://reelay.example/hooks",
				"delivery", "inline", "api-revision", "2026-05-20"), List.of(), PATIENT);
		configured.submit(request()).block(WAIT);
		JsonNode body = this.api.creates.get(0);
		assertThat(body.get("generation_config").get("seed").longValue()).isEqualTo(42L);
		assertThat(body.get("webhook_config").get("uris").get(0).stringValue()).isEqualTo("https://reelay.example/hooks");
		assertThat(body.get("response_format").get("delivery").stringValue()).isEqualTo("inline");
		assertThat(this.api.requests.get(0).getHeaders().get("Api-Revision")).isEqualTo("2026-05-20");
	}

	@Test
	void aCreateWhoseAnswerIsLostIsNotSentAgainAndCannotBeLookedFor() {
		this.api.loseNextCreateAnswer();
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			assertThat(error).isInstanceOf(ProviderException.class);
			// Retryable is how a family says "outcome unknown": the dispatcher reconciles and never resends blindly.
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
		}).verify(WAIT);
		assertThat(this.api.creates).as("the stand-in took the create").hasSize(1);
		assertThat(this.api.requests("POST", "/v1beta/interactions")).as("sent once, not retried").isEqualTo(1);
		// No list of interactions exists: the dispatcher must fail the job rather than send it again.
		assertThat(provider().canFindSubmitted()).isFalse();
	}

	@Test
	void aCreateAnsweredWithoutAnIdIsAnUnknownOutcomeNotARefusal() {
		this.api.answerNextCreateWithoutId();
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			assertThat(((ProviderException) error).code()).isEqualTo("accepted_without_id");
		}).verify(WAIT);
		assertThat(this.api.creates).hasSize(1);
	}

	@Test
	void aMalformedCreateIsRefusedByTheStandInAndPermanent() {
		// A duration Omni cannot make: the stand-in refuses it as Google does, with its own words.
		StepVerifier.create(provider().submit(new GenerationRequest("gemini-omni-1.1-flash", "x", 12, "16:9",
				"720p", null, null)))
			.expectErrorSatisfies((error) -> {
				assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
				assertThat(error.getMessage()).contains("between 3s and 10s");
			})
			.verify(WAIT);
		assertThat(this.api.creates).isEmpty();
	}

	@Test
	void aWrongKeyIsRefusedInPlainWordsAndNeverEchoed() {
		VideoProvider wrongKey = new ProviderFamilies().geminiInteractionsFamily(StandIn.webClients()).create("gemini-omni",
				new dev.reelay.provider.ProviderSettings.Instance("gemini-interactions", this.api.url("/v1beta"),
						"AIza-wrong-key", true, PATIENT, Duration.ofSeconds(1), List.of(), Map.of()));
		StepVerifier.create(wrongKey.submit(request())).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(error.getMessage()).contains("rejected the API key").doesNotContain("AIza-wrong-key");
		}).verify(WAIT);
	}

	@Test
	void completedWithoutAVideoIsARefusalNotASuccess() {
		String id = submitted();
		InteractionsStandIn.Remote remote = this.api.remote(id);
		remote.refusalText = "I can't create that video.";
		remote.status = "completed";
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.status()).isEqualTo(RemoteStatus.FAILED);
			assertThat(job.error().code()).isEqualTo("no_video");
			assertThat(job.error().message()).contains("I can't create that video.");
		}).verifyComplete();
	}

	@Test
	void aFailureCarriesTheLastWordOfGooglesErrorCode() {
		String id = submitted();
		willReport(id, RemoteStatus.FAILED);
		StepVerifier.create(provider().status(id)).assertNext((job) -> {
			assertThat(job.error().code()).isEqualTo("gemini_internal");
			assertThat(job.error().message()).contains("The generation failed (internal).");
		}).verifyComplete();
	}

	@Test
	void otherTerminalWordsAreFailures() {
		String id = submitted();
		for (String word : List.of("incomplete", "budget_exceeded", "requires_action")) {
			this.api.remote(id).status = word;
			StepVerifier.create(provider().status(id)).assertNext((job) -> {
				assertThat(job.status()).isEqualTo(RemoteStatus.FAILED);
				assertThat(job.error().code()).isEqualTo("gemini_" + word);
			}).verifyComplete();
		}
	}

	@Test
	void aLargeInlineVideoIsStreamedThroughBoundedBuffers() {
		// 3 MB of video is 4 MB of base64 in one JSON string: far past the 256 KB a buffered body may take.
		byte[] large = StandIn.mp4(3 * 1024 * 1024);
		String id = submitted();
		this.api.complete(id, large, false);
		StepVerifier.create(provider().status(id))
			.assertNext((job) -> assertThat(job.status()).isEqualTo(RemoteStatus.COMPLETED))
			.verifyComplete();
		StepVerifier.create(provider().content(id).flatMap((content) -> {
			assertThat(content.contentType()).isEqualTo("video/mp4");
			return DataBufferUtils.join(content.body()).map((buffer) -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				DataBufferUtils.release(buffer);
				return bytes;
			});
		})).assertNext((bytes) -> assertThat(bytes).isEqualTo(large)).expectComplete().verify(WAIT);
	}

	@Test
	void aFilesApiVideoIsDownloadedWithTheKeyOnceItsFileIsActive() {
		String id = submitted();
		this.api.complete(id, StandIn.VIDEO, true);
		this.api.fileStates.put(id, "PROCESSING");
		StepVerifier.create(provider().content(id)).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			assertThat(((ProviderException) error).code()).isEqualTo("file_not_ready");
		}).verify(WAIT);
		assertThat(this.api.requests("GET", "/v1beta/files/" + id + ":download")).isZero();

		this.api.fileStates.put(id, "ACTIVE");
		StepVerifier.create(provider().content(id).flatMap((content) -> DataBufferUtils.join(content.body())
			.map((buffer) -> {
				int length = buffer.readableByteCount();
				DataBufferUtils.release(buffer);
				return length;
			}))).expectNext(StandIn.VIDEO.length).expectComplete().verify(WAIT);
		RecordedRequest download = this.api.requests.get(this.api.requests.size() - 1);
		assertThat(download.getTarget()).isEqualTo("/v1beta/files/" + id + ":download?alt=media");
		assertThat(download.getHeaders().get("x-goog-api-key")).isEqualTo(InteractionsStandIn.KEY);

		this.api.fileStates.put(id, "FAILED");
		StepVerifier.create(provider().content(id))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.PERMANENT))
			.verify(WAIT);
	}

	@Test
	void anUnknownIdIsFinalButOtherPoll400sAreRetried() {
		StepVerifier.create(provider().status("v1_nobody")).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.PERMANENT);
			assertThat(((ProviderException) error).code()).isEqualTo("not_found");
		}).verify(WAIT);
		String id = submitted();
		this.api.failNext(400);
		StepVerifier.create(provider().status(id))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RETRYABLE))
			.verify(WAIT);
		VideoProvider strict = provider(Map.of("retry-poll-400", "false"), List.of(), PATIENT);
		this.api.failNext(400);
		StepVerifier.create(strict.status(id))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.PERMANENT))
			.verify(WAIT);
	}

	@Test
	void aRunningInteractionIsCancelledAndAFinishedOneSaysSo() {
		String id = submitted();
		StepVerifier.create(provider().cancel(id)).expectNext(CancelOutcome.CANCELED).verifyComplete();
		assertThat(this.api.remote(id).status).isEqualTo("cancelled");
		assertThat(this.api.requests("POST", "/v1beta/interactions/" + id + "/cancel")).isEqualTo(1);
		String done = submitted();
		this.api.complete(done, StandIn.VIDEO, false);
		StepVerifier.create(provider().cancel(done)).expectNext(CancelOutcome.ALREADY_FINISHED).verifyComplete();
	}

	@Test
	void registeredWebhooksAreVerifiedAsStandardWebhooks() {
		String secret = "whsec_" + Base64.getEncoder().encodeToString("gemini webhook secret, 32 bytes".getBytes());
		WebhookVerifier hooked = hooks(Map.of(), List.of(secret));
		byte[] body = "{\"type\": \"interaction.completed\", \"version\": \"v1\", \"data\": {\"id\": \"v1_abc\"}}"
			.getBytes();
		long now = Instant.now().getEpochSecond();
		HttpHeaders headers = new HttpHeaders();
		headers.set("webhook-id", "wh_1");
		headers.set("webhook-timestamp", Long.toString(now));
		headers.set("webhook-signature", StandardWebhooks.sign(secret, "wh_1", now, body));
		StepVerifier.create(hooked.verify(new WebhookDelivery(headers, body))).assertNext((notice) -> {
			assertThat(notice.deliveryId()).isEqualTo("wh_1");
			assertThat(notice.remoteId()).isEqualTo("v1_abc");
			assertThat(notice.type()).isEqualTo("interaction.completed");
		}).verifyComplete();

		HttpHeaders forged = new HttpHeaders();
		forged.addAll(headers);
		forged.set("webhook-signature", StandardWebhooks.sign("whsec_" + Base64.getEncoder()
			.encodeToString("somebody else's secret, 32 byte".getBytes()), "wh_1", now, body));
		StepVerifier.create(hooked.verify(new WebhookDelivery(forged, body)))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.UNVERIFIED))
			.verify(WAIT);
		// Without a secret a signed delivery cannot be checked, so it is not taken.
		StepVerifier.create(hooks(Map.of(), List.of()).verify(new WebhookDelivery(headers, body)))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.NOT_ACCEPTED))
			.verify(WAIT);
	}

	@Test
	void perRequestWebhooksAreOnlyHintsAndOnlyWhenAskedFor() {
		byte[] body = "{\"type\": \"video.generated\", \"data\": {\"id\": \"v1_abc\"}}".getBytes();
		HttpHeaders headers = new HttpHeaders();
		// An RS256 JWT whose audience and body binding Google does not document: not checked, not trusted.
		headers.set("Webhook-Signature", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
		StepVerifier.create(hooks(Map.of(), List.of()).verify(new WebhookDelivery(headers, body)))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.NOT_ACCEPTED))
			.verify(WAIT);
		WebhookVerifier asking = hooks(Map.of("webhook-url", "https://reelay.example/hooks"), List.of());
		StepVerifier.create(asking.verify(new WebhookDelivery(headers, body)))
			.assertNext((notice) -> assertThat(notice.remoteId()).isEqualTo("v1_abc"))
			.verifyComplete();
		StepVerifier.create(asking.verify(new WebhookDelivery(headers, "{\"data\": {\"id\": \"x\"}}".getBytes())))
			.expectErrorSatisfies((error) -> assertThat(((WebhookRejectedException) error).reason())
				.isEqualTo(WebhookRejectedException.Reason.UNVERIFIED))
			.verify(WAIT);
	}

	@Test
	void theStatusAnswerIsTheInteractionsOwnState() {
		String id = submitted();
		RemoteJob job = provider().status(id).block(WAIT);
		assertThat(job.remoteId()).isEqualTo(id);
		assertThat(this.api.requests("GET", "/v1beta/interactions/" + id)).isEqualTo(1);
	}

}
