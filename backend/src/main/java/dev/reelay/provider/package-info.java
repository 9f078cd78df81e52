/**
 * The provider port ({@link dev.reelay.provider.VideoProvider}), classified provider errors, configured provider
 * instances, and one sub-package per provider family.
 */
@NullMarked
package dev.reelay.provider;

import org.jspecify.annotations.NullMarked;
