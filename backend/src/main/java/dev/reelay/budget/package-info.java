/**
 * What jobs cost and who may spend what: prices every job from the catalog, reserves it against its tenant's
 * monthly budget as it is created, settles the actual cost when it ends, keeps the ledger and reports usage.
 */
@ApplicationModule(allowedDependencies = { "catalog", "job", "provider::view", "support", "tenant" })
@NullMarked
package dev.reelay.budget;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
