/**
 * Jobs and their append-only event log: the state machine, the only writer of job rows, and the job REST API.
 */
@NullMarked
package dev.reelay.job;

import org.jspecify.annotations.NullMarked;
