package dev.reelay.provider;

import reactor.core.publisher.Mono;

import org.springframework.modulith.NamedInterface;

/**
 * Checks one instance's webhooks: the signature on the raw body, then which remote job it is about. Kept apart from
 * {@link VideoProvider}, which only the dispatcher drives; a verifier that must fetch keys does so through the
 * {@link ProviderCallMeter} it was built with, within the instance's limits like any provider call.
 */
@NamedInterface("webhooks")
@FunctionalInterface
public interface WebhookVerifier {

	/** For a family that sends no webhooks. */
	WebhookVerifier NONE = (delivery) -> Mono.error(new WebhookRejectedException(
			WebhookRejectedException.Reason.NOT_ACCEPTED, "This provider family sends no webhooks"));

	/** The delivery's notice; fails with {@link WebhookRejectedException} when it cannot be verified. */
	Mono<WebhookNotice> verify(WebhookDelivery delivery);

}
