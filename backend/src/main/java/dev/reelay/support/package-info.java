/**
 * Small mechanisms several features share and none owns, such as background work repeated on a timer.
 */
@NullMarked
package dev.reelay.support;

import org.jspecify.annotations.NullMarked;
