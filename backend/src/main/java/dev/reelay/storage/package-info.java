/**
 * Reelay's own copy of every finished video, so results outlive the provider's expiring links.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.storage;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
