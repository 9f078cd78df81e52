/**
 * Reelay: an AI video generation gateway. Each sub-package is one application module; see
 * docs/architecture.md for how they depend on each other.
 */
@NullMarked
package dev.reelay;

import org.jspecify.annotations.NullMarked;
