/**
 * Webhooks in: {@code POST /webhooks/{provider-instance}} verifies the signature on the raw body, drops
 * redeliveries, and makes the named job due so the dispatcher fetches its status from the provider. Polling stays
 * the fallback for webhooks that never arrive.
 */
@ApplicationModule(allowedDependencies = { "job", "provider::view", "provider::webhooks" })
@NullMarked
package dev.reelay.webhook;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
