/**
 * The {@code fal} family: fal.ai's queue API (submit to {@code queue.fal.run/{model}}, status, result, cancel),
 * which reaches Kling, Wan, Seedance, Pika, Veo and more; webhooks signed with Ed25519 against fal's key set.
 */
@NullMarked
package dev.reelay.provider.fal;

import org.jspecify.annotations.NullMarked;
