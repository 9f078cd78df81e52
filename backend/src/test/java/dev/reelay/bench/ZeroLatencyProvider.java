package dev.reelay.bench;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A provider that answers at once, so a benchmark measures Reelay and not a network: generations finish at the
 * first poll ({@code finishes}) or never ({@code !finishes}, to keep jobs in flight).
 */
class ZeroLatencyProvider implements ProviderFamily, VideoProvider {

	private static final byte[] VIDEO = dev.reelay.provider.StandIn.mp4(1024);

	private final String family;

	private final boolean finishes;

	/** A provider's id belongs to one job: runs on a kept database must not reuse the last run's ids. */
	private static final String RUN = Long.toHexString(System.currentTimeMillis());

	final AtomicLong submits = new AtomicLong();

	final AtomicLong polls = new AtomicLong();

	ZeroLatencyProvider(String family, boolean finishes) {
		this.family = family;
		this.finishes = finishes;
	}

	@Override
	public String name() {
		return this.family;
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		return this;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.fromSupplier(() -> new RemoteJob("gen-" + RUN + "-" + this.submits.incrementAndGet(),
				RemoteStatus.QUEUED, 0, null, null, null));
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		this.polls.incrementAndGet();
		return Mono.just(this.finishes ? new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null)
				: new RemoteJob(remoteId, RemoteStatus.IN_PROGRESS, 50, null, null, null));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		return Mono.fromSupplier(() -> new RemoteContent("video/mp4", (long) VIDEO.length,
				Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(VIDEO.clone()))));
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return Mono.just(CancelOutcome.UNSUPPORTED);
	}

	@Override
	public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		return Flux.empty();
	}

}
