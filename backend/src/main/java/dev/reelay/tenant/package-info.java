/**
 * Who is asking: tenants, their API keys, and the caller's tenant on every API request, which every read and write
 * of jobs is scoped to.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.tenant;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
