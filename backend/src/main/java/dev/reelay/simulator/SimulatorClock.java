package dev.reelay.simulator;

import java.time.Clock;

/**
 * The time the simulator computes a video's status and progress from. Its own, not the application's
 * {@link Clock}: tests move it to carry a video through its lifecycle without moving anything else's time.
 */
record SimulatorClock(Clock clock) {
}
