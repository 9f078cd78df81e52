/**
 * Small mechanisms several features share and none owns, such as background work repeated on a timer.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.support;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
