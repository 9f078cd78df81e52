/**
 * What the page shows about the system as a whole: provider instances with their load and recent refusals, and
 * jobs over time. Read-only views over the other modules.
 */
@NullMarked
package dev.reelay.dashboard;

import org.jspecify.annotations.NullMarked;
