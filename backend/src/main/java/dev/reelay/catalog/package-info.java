/**
 * The model catalog: which models exist, which provider instance serves each, and what they accept. Models are
 * configuration data, never code.
 */
@ApplicationModule(allowedDependencies = { "provider::view" })
@NullMarked
package dev.reelay.catalog;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
