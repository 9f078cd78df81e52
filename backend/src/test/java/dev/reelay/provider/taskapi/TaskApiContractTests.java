package dev.reelay.provider.taskapi;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInContractTests;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;
import dev.reelay.provider.WebhookVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared provider contract, run for one bundled task API file against a stand-in written from that provider's
 * contract: the file and the one adapter together must behave as a hand-written family would. Each subclass is
 * one provider: its stand-in, and the state words its contract documents.
 */
abstract class TaskApiContractTests extends StandInContractTests<TaskApiStandIn>
		implements VideoProviderContractTests.AnswersHttpErrors, VideoProviderContractTests.ReportsUnknownStates,
		VideoProviderContractTests.AnswersSlowly {

	static final TaskApiSpecs BUNDLED = TaskApiSpecs.load(new TaskApiSettings(null));

	private final Map<RemoteStatus, Integer> reported = new HashMap<>();

	private final String apiName;

	/**
	 * {@code apiName}: the bundled file's name, also the instance's; {@code basePath}: where the stand-in serves the
	 * API, as the real base URL's path (e.g. {@code /api/v3}).
	 */
	TaskApiContractTests(String apiName, TaskApiStandIn api, String basePath) {
		super(api, basePath);
		this.apiName = apiName;
	}

	String apiName() {
		return this.apiName;
	}

	/** The provider's state words for each Reelay state, in lifecycle order. */
	abstract Map<RemoteStatus, List<String>> words();

	/** A state word the contract does not document. */
	String undocumentedWord() {
		return "moderating";
	}

	Map<String, String> options() {
		return Map.of();
	}

	MockEnvironment environment() {
		return new MockEnvironment();
	}

	/** The instance's webhook check, with the same settings as {@link #provider()}'s unless told others. */
	WebhookVerifier webhooks(String baseUrl, Map<String, String> options) {
		ProviderSettings.Instance settings = new ProviderSettings.Instance("task-api", baseUrl, "test-key", true,
				Duration.ofSeconds(5), Duration.ofSeconds(1), List.of("whsec-test"), options);
		return new TaskApiFamily(StandIn.webClients(), BUNDLED, environment(), Clock.systemUTC()).webhooks(apiName(),
				settings, ProviderCallMeter.UNMETERED);
	}

	WebhookVerifier webhooks() {
		return webhooks(standInUrl(), options());
	}

	VideoProvider provider(String baseUrl, Duration timeout, Map<String, String> options) {
		ProviderSettings.Instance settings = new ProviderSettings.Instance("task-api", baseUrl, "test-key", true,
				timeout, Duration.ofSeconds(1), List.of("whsec-test"), options);
		return new TaskApiFamily(StandIn.webClients(), BUNDLED, environment(), Clock.systemUTC()).create(apiName(),
				settings);
	}

	@AfterEach
	void stop() {
		assertThat(this.api.violations()).as("requests that broke the contract").isEmpty();
	}

	@Override
	protected VideoProvider adapter(String baseUrl, Duration timeout) {
		return provider(baseUrl, timeout, options());
	}

	@Override
	protected void willAccept() {
		// The ledger accepts every create that keeps to the contract.
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		List<RemoteStatus> states = new ArrayList<>();
		words().forEach((state, words) -> words.forEach((word) -> states.add(state)));
		return states;
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		List<String> words = words().get(status);
		if (words == null) {
			return false;
		}
		int next = this.reported.merge(status, 1, Integer::sum) - 1;
		this.api.tasks.put(taskId(remoteId), words.get(next % words.size()));
		return true;
	}

	/** The provider's id of a task, as the stand-in's ledger knows it. */
	String taskId(String remoteId) {
		return remoteId;
	}

	@Override
	public void willReportUnknownState(String remoteId) {
		this.api.tasks.put(taskId(remoteId), undocumentedWord());
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		willReport(remoteId, RemoteStatus.COMPLETED);
		return StandIn.VIDEO;
	}

	@Override
	public void willFail(int httpStatus) {
		this.api.next(this.api.error(httpStatus));
	}

	@Test
	void aCreateIsSentOnceAndOneWithoutAnAnswerIsNeverSentAgainBlindly() {
		this.api.next(this.api.error(503));
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			// Retryable means "outcome unknown" to the dispatcher: it reconciles, and as a task API cannot look its
			// jobs up, it fails the job rather than pay twice.
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
		}).verify(WAIT);
		assertThat(this.api.received).hasSize(1);
		assertThat(provider().canFindSubmitted()).isFalse();

		this.api.slowly();
		StepVerifier.create(provider(standInUrl(), StandIn.IMPATIENT, options()).submit(request()))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RETRYABLE))
			.verify(WAIT);
		assertThat(this.api.received).hasSize(2);
	}

	@Test
	void aSuccessAnswerWithoutATaskIdIsAnUnknownOutcomeNotARefusal() {
		this.api.next(TaskApiStandIn.json(acceptedWithoutId()));
		StepVerifier.create(provider().submit(request())).expectErrorSatisfies((error) -> {
			assertThat(((ProviderException) error).kind()).isEqualTo(ProviderException.Kind.RETRYABLE);
			assertThat(((ProviderException) error).code()).isEqualTo("accepted_without_id");
		}).verify(WAIT);
	}

	/** A 2xx answer to a create that names no task. */
	String acceptedWithoutId() {
		return "{}";
	}

}
