/**
 * Live progress over Server-Sent Events, read from the durable job event log so that streams resume after a
 * reconnect with no gap and no duplicate.
 */
// Streams read the event log, never the dispatcher.
@ApplicationModule(allowedDependencies = { "job", "support", "tenant" })
@NullMarked
package dev.reelay.stream;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
