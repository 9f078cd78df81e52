package dev.reelay.provider.fal;

import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.signing.Ed25519Signatures;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;

/**
 * fal's published webhook keys, fetched on first use and kept for a day as fal allows. One fetch at a time: the
 * cached Mono is shared by every webhook that arrives while it runs. Each fetch goes through the instance's
 * {@link ProviderCallMeter}, so a flood of forged webhooks cannot make Reelay call fal past its limits.
 */
final class FalWebhookKeys {

	static final Duration KEEP = Duration.ofHours(24);

	/** How a key fetch shows in {@code reelay.provider.calls}. */
	static final String OPERATION = "webhook_keys";

	private final ProviderHttp http;

	private final String jwksUrl;

	private final Clock clock;

	private final ProviderCallMeter calls;

	private volatile Mono<List<PublicKey>> keys;

	private volatile Instant fetchedAt = Instant.MIN;

	FalWebhookKeys(ProviderHttp http, String jwksUrl, Clock clock, ProviderCallMeter calls) {
		this.http = http;
		this.jwksUrl = jwksUrl;
		this.clock = clock;
		this.calls = calls;
		this.keys = fetch();
	}

	synchronized Mono<List<PublicKey>> current() {
		Instant now = this.clock.instant();
		if (this.fetchedAt.plus(KEEP).isBefore(now)) {
			this.fetchedAt = now;
			this.keys = fetch();
		}
		return this.keys;
	}

	private Mono<List<PublicKey>> fetch() {
		return this.calls.call(this.http.provider(), OPERATION,
				() -> this.http.json(this.http.client().get().uri(URI.create(this.jwksUrl)))).map((jwks) -> {
			List<PublicKey> found = new ArrayList<>();
			jwks.path("keys").values().forEach((key) -> {
				String x = ProviderHttp.text(key, "x");
				if ("OKP".equals(ProviderHttp.text(key, "kty")) && x != null) {
					found.add(Ed25519Signatures.publicKey(x));
				}
			});
			return List.copyOf(found);
		})
			// A failed fetch must not stick for a day: forget it so the next webhook tries again.
			.doOnError((error) -> this.fetchedAt = Instant.MIN)
			.cache((value) -> KEEP, (error) -> Duration.ZERO, () -> KEEP);
	}

}
