/**
 * What the page shows about the system as a whole: provider instances with their load and recent refusals, and
 * jobs over time. Read-only views over the other modules.
 */
@ApplicationModule(allowedDependencies = { "catalog", "job", "provider::view", "support", "tenant" })
@NullMarked
package dev.reelay.dashboard;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
