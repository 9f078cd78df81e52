/**
 * A stand-in for the OpenAI Videos API, served by Reelay itself under {@code reelay.simulator.path}
 * ({@code /simulator/openai/v1}). Lets Reelay (and its tests) run the whole job lifecycle without a real provider key
 * or bill. Self-contained, so a build can leave it out: its own clock ({@link dev.reelay.simulator.SimulatorClock}),
 * its own tables and migrations ({@link dev.reelay.simulator.SimulatorSchema}), and no other module imports it;
 * providers reach it over HTTP through {@link dev.reelay.provider.BuiltInSimulator}.
 */
// Only the port it implements for the provider instance; nothing depends on it (SimulatorBoundaryTests).
@ApplicationModule(allowedDependencies = { "provider" })
@NullMarked
package dev.reelay.simulator;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
