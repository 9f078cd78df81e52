/**
 * The provider port ({@link dev.reelay.provider.VideoProvider}), classified provider errors, configured provider
 * instances, and one sub-package per provider family. Two named interfaces narrow what other modules may use:
 * {@code view} (the read-only {@link dev.reelay.provider.ProviderInstances}, {@link dev.reelay.provider.FamilyTraits},
 * settings, breaker states and the values jobs carry) and {@code webhooks} (the verifiers and what they take and
 * give); the whole package, adapters included, is for {@code dispatch}.
 */
// Adapters never see jobs, dispatch, the web or the simulator (reached over HTTP, see BuiltInSimulator).
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.provider;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
