/**
 * Outbound webhooks to client services: each job's state changes, signed with the Standard Webhooks scheme,
 * delivered at least once from a durable queue, logged per attempt, and never sent to a private address.
 */
@ApplicationModule(allowedDependencies = { "job", "support", "tenant" })
@NullMarked
package dev.reelay.callback;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
