/**
 * The model catalog: which models exist, which provider instance serves each, and what they accept. Models are
 * configuration data, never code.
 */
// TODO(providershape): only the read-only instance view and family traits, not the adapter factory
@ApplicationModule(allowedDependencies = { "provider" })
@NullMarked
package dev.reelay.catalog;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
