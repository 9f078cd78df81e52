/**
 * The dispatcher: claims due jobs from PostgreSQL under leases, submits them to their provider, polls them to
 * the end and stores the result. All state is in the jobs table, so a restart resumes where it stopped.
 */
// The only module that drives the provider port.
@ApplicationModule(allowedDependencies = { "catalog", "job", "provider", "provider::view", "storage", "support" })
@NullMarked
package dev.reelay.dispatch;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
