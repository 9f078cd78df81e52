/**
 * The provider port ({@link dev.reelay.provider.VideoProvider}), classified provider errors, configured provider
 * instances, and one sub-package per provider family.
 */
// Adapters never see jobs, dispatch or the web. TODO(simmodule): no dependency on the simulator at all
@ApplicationModule(allowedDependencies = { "simulator" })
@NullMarked
package dev.reelay.provider;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
