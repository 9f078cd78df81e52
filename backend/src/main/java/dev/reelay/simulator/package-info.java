/**
 * A stand-in for the OpenAI Videos API, served by Reelay itself under {@code /simulator/openai/v1}.
 * Lets Reelay (and its tests) run the whole job lifecycle without a real provider key or bill.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.simulator;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
