/**
 * The {@code gemini-interactions} family: Gemini Omni video through the Gemini API's Interactions API (background
 * interactions, polled by id, the video inline as base64 or as a Files API file), with Standard Webhooks for
 * registered webhooks.
 */
@NullMarked
package dev.reelay.provider.gemini;

import org.jspecify.annotations.NullMarked;
