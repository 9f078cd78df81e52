/**
 * Operations: the health of each provider instance (without spending a request) and the OpenAPI description of
 * the API. Metrics are recorded where things happen, in the modules that own them.
 */
@ApplicationModule(allowedDependencies = { "catalog", "job", "provider", "provider::view" })
@NullMarked
package dev.reelay.ops;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
