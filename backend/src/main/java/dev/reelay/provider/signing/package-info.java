/**
 * Webhook signature schemes shared by provider families: Standard Webhooks (OpenAI, Google static webhooks), HMAC
 * over an id and a timestamp (Kie), Ed25519 with a published key set (fal). All compare in constant time.
 */
@NullMarked
package dev.reelay.provider.signing;

import org.jspecify.annotations.NullMarked;
