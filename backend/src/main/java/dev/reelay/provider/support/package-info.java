/**
 * HTTP plumbing the JSON-speaking families share: one call with a timeout and classified errors, tolerant reading
 * of JSON trees, and streamed downloads that follow redirects.
 */
@NullMarked
package dev.reelay.provider.support;

import org.jspecify.annotations.NullMarked;
