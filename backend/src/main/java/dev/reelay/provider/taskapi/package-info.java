/**
 * The {@code task-api} family: one adapter for every provider whose API is "create → task id → poll → status word →
 * result URL", each described by a YAML file (bundled under {@code task-apis/}, or in the operator's directory)
 * rather than by code.
 */
@NullMarked
package dev.reelay.provider.taskapi;

import org.jspecify.annotations.NullMarked;
