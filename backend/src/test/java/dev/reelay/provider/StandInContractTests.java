package dev.reelay.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/**
 * The contract run against a stand-in of the family's HTTP API: the adapter under test, the one that finds nothing
 * listening and the impatient one all come from {@link #adapter}, so they differ only in where they point and how
 * long they wait.
 */
public abstract class StandInContractTests<S extends StandInServer> extends VideoProviderContractTests {

	/** The family's stand-in, which each test scripts. */
	protected final S api;

	private final String apiPath;

	private @Nullable VideoProvider provider;

	/** {@code apiPath}: the path of the API's base URL on the stand-in, as an operator would configure it. */
	protected StandInContractTests(S api, String apiPath) {
		this.api = api;
		this.apiPath = apiPath;
	}

	/** The family's adapter for an instance at {@code baseUrl} that waits up to {@code timeout} for an answer. */
	protected abstract VideoProvider adapter(String baseUrl, Duration timeout);

	/** How long the adapter under test waits for an answer. */
	protected Duration patience() {
		return Duration.ofSeconds(5);
	}

	/** The stand-in's base URL. */
	protected String standInUrl() {
		return this.api.url(this.apiPath);
	}

	@AfterEach
	void closeStandIn() {
		this.api.close();
	}

	@Override
	protected VideoProvider provider() {
		if (this.provider == null) {
			this.provider = adapter(standInUrl(), patience());
		}
		return this.provider;
	}

	@Override
	protected VideoProvider unreachableProvider() {
		return adapter(StandIn.deadUrl(), patience());
	}

	/** For {@link AnswersSlowly}: the adapter with a timeout far shorter than the stand-in's slow answer. */
	public VideoProvider impatientProvider() {
		return adapter(standInUrl(), StandIn.IMPATIENT);
	}

	/** For {@link AnswersSlowly}. */
	public void answerNextSlowly() {
		this.api.slowly();
	}

}
