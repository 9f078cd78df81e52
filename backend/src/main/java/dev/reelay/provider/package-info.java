/**
 * The provider port ({@link dev.reelay.provider.VideoProvider}), classified provider errors, configured provider
 * instances, and one sub-package per provider family.
 */
// Adapters never see jobs, dispatch, the web or the simulator (reached over HTTP, see BuiltInSimulator).
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.provider;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
