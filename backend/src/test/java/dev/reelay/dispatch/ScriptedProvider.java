package dev.reelay.dispatch;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.ProviderUsage;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.VideoProvider;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * An in-memory provider whose answers a test scripts: each submit takes the next scripted outcome, and every
 * generation that was really created is kept, so a test can count what would have been billed.
 */
class ScriptedProvider implements VideoProvider, ProviderFamily {

	enum Outcome {

		/** Created and answered. */
		ACCEPT,
		/** Refused with 429 and a Retry-After of 30 s; nothing created. */
		RATE_LIMIT,
		/** Created, but the answer is lost (a 502 after the fact). */
		LOSE_ANSWER,
		/** A 503 before anything was created. */
		FAIL_BEFORE,
		/** Refused as invalid; nothing created. */
		REJECT

	}

	static final String NAME = "scripted";

	static final Duration RETRY_AFTER = Duration.ofSeconds(30);

	/** What the create answer says about cost: credits held. */
	static final ProviderUsage HELD = new ProviderUsage("per_second", new BigDecimal("40"), null, null, null);

	/** What the finished generation says: the charge, and nothing about the hold. */
	static final ProviderUsage CHARGED = new ProviderUsage(null, null, new BigDecimal("38.5"), null, new BigDecimal("0.55"));

	final List<GenerationRequest> created = new CopyOnWriteArrayList<>();

	private final Map<String, GenerationRequest> byId = new ConcurrentHashMap<>();

	private final Map<String, Instant> createdAt = new ConcurrentHashMap<>();

	private final Deque<Outcome> script = new ArrayDeque<>();

	volatile boolean canLookUp = true;

	/** Every call as it reached the provider, at the time {@link #clock} said. */
	final List<Call> calls = new CopyOnWriteArrayList<>();

	volatile Clock clock = Clock.systemUTC();

	/** What a scripted 429 asks for. */
	volatile Duration retryAfter = RETRY_AFTER;

	/** The still image it serves where a thumbnail is asked for (a RIFF/WEBP header is enough for a test). */
	/** A whole (if tiny) MP4: Reelay checks a video's structure before it counts as saved. */
	static final byte[] VIDEO = dev.reelay.provider.StandIn.mp4(40);

	static final byte[] THUMBNAIL = { 'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ' };

	volatile boolean offersThumbnail = true;

	/** What a finished generation reports it cost. */
	volatile ProviderUsage charged = CHARGED;

	/** An error no provider adapter would raise (a bug), thrown by every status call while set. */
	volatile RuntimeException statusFails;

	/** How many of the next thumbnail requests fail with a 503. */
	final AtomicInteger thumbnailFailures = new AtomicInteger();

	final AtomicInteger thumbnailCalls = new AtomicInteger();

	synchronized void script(Outcome... outcomes) {
		this.script.clear();
		this.script.addAll(List.of(outcomes));
	}

	private synchronized Outcome next() {
		return this.script.isEmpty() ? Outcome.ACCEPT : this.script.poll();
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		return this;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return Mono.defer(() -> {
			Outcome outcome = next();
			this.calls.add(new Call("submit", this.clock.instant(), request.prompt(), outcome));
			return submit(request, outcome);
		});
	}

	private Mono<RemoteJob> submit(GenerationRequest request, Outcome outcome) {
		return Mono.defer(() -> switch (outcome) {
			case ACCEPT -> Mono.just(remember(request));
			case RATE_LIMIT -> Mono.error(new ProviderException(ProviderException.Kind.RATE_LIMITED, "rate_limited",
					"slow down", 429, this.retryAfter, "req_1", null));
			case LOSE_ANSWER -> {
				remember(request);
				yield Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "provider_error", "bad gateway",
						502, null, "req_2", null));
			}
			case FAIL_BEFORE -> Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "provider_error",
					"unavailable", 503, null, "req_3", null));
			case REJECT -> Mono.error(new ProviderException(ProviderException.Kind.PERMANENT, "invalid_request",
					"scripted rejected the request: prompt too vague", 400, null, "req_4", null));
		});
	}

	private RemoteJob remember(GenerationRequest request) {
		// Unique across test contexts too: they share one database, where a provider's id belongs to one job.
		String id = "gen_" + this.created.size() + "_" + Math.abs(request.prompt().hashCode()) + "_"
				+ UUID.randomUUID().toString().substring(0, 8);
		this.created.add(request);
		this.byId.put(id, request);
		this.createdAt.put(id, this.clock.instant());
		return new RemoteJob(id, RemoteStatus.QUEUED, 0, null, null, null, HELD);
	}

	long createsFor(String prompt) {
		return this.created.stream().filter((request) -> request.prompt().equals(prompt)).count();
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		this.calls.add(new Call("status", this.clock.instant(), remoteId, null));
		RuntimeException failure = this.statusFails;
		if (failure != null) {
			return Mono.error(failure);
		}
		return Mono.just(new RemoteJob(remoteId, RemoteStatus.COMPLETED, 100, null, null, null, this.charged));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		this.calls.add(new Call("content", this.clock.instant(), remoteId + " " + variant, null));
		if (variant == ContentVariant.THUMBNAIL) {
			return Mono.defer(() -> {
				this.thumbnailCalls.incrementAndGet();
				if (this.thumbnailFailures.getAndDecrement() > 0) {
					return Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "provider_error",
							"thumbnail unavailable", 503, null, "req_5", null));
				}
				return Mono.just(new RemoteContent("image/webp", (long) THUMBNAIL.length,
						Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(THUMBNAIL.clone()))));
			});
		}
		byte[] video = VIDEO.clone();
		return Mono.just(new RemoteContent("video/mp4", (long) video.length,
				Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(video))));
	}

	@Override
	public boolean offers(ContentVariant variant) {
		return variant == ContentVariant.VIDEO || (variant == ContentVariant.THUMBNAIL && this.offersThumbnail);
	}

	/** Thumbnails offered, all served at once, none asked for yet. */
	void resetThumbnails() {
		this.charged = CHARGED;
		this.statusFails = null;
		this.offersThumbnail = true;
		this.thumbnailFailures.set(0);
		this.thumbnailCalls.set(0);
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return Mono.just(CancelOutcome.UNSUPPORTED);
	}

	@Override
	public boolean canFindSubmitted() {
		return this.canLookUp;
	}

	@Override
	public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		this.calls.add(new Call("find", this.clock.instant(), request.prompt(), null));
		return Flux.fromIterable(this.byId.entrySet())
			.filter((entry) -> entry.getValue().prompt().equals(request.prompt()))
			.map((entry) -> new SubmittedGeneration(
					new RemoteJob(entry.getKey(), RemoteStatus.IN_PROGRESS, 10, null, null, null),
					Objects.requireNonNull(this.createdAt.get(entry.getKey()))));
	}

	/** One call: which operation, when, about what, and (for a submit) the scripted outcome. */
	record Call(String operation, Instant at, String subject, @Nullable Outcome outcome) {
	}

}
