package dev.reelay.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The contract run against a stand-in of the family's HTTP API: the adapter under test, the one that finds nothing
 * listening and the impatient one all come from {@link #adapter}, so they differ only in where they point and how
 * long they wait.
 */
public abstract class StandInContractTests extends VideoProviderContractTests {

	private @Nullable VideoProvider provider;

	/** The family's adapter for an instance at {@code baseUrl} that waits up to {@code timeout} for an answer. */
	protected abstract VideoProvider adapter(String baseUrl, Duration timeout);

	/** The stand-in's base URL, with the API's path as an operator would configure it. */
	protected abstract String standInUrl();

	/** How long the adapter under test waits for an answer. */
	protected Duration patience() {
		return Duration.ofSeconds(5);
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

}
