package dev.reelay.provider;

import org.jspecify.annotations.Nullable;

import org.springframework.modulith.NamedInterface;

/**
 * What a verified webhook tells: which delivery it was (for dropping duplicates) and which remote job to look at
 * again. Only a hint: the job's status is always fetched from the provider before anything is trusted.
 */
@NamedInterface("webhooks")
public record WebhookNotice(String deliveryId, @Nullable String remoteId, String type) {
}
