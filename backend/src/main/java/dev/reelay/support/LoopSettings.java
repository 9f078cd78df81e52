package dev.reelay.support;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code reelay.loops.*}: bounds on Reelay's background loops (dispatcher, event log tail, periodic upkeep).
 *
 * @param iterationTimeout one iteration of a loop is cut off after this and the loop goes on with the next, so a
 * wait nothing else bounds cannot stop a loop for good
 * @param stallAfter a loop whose last successful iteration is older than this (or than its own interval plus the
 * iteration timeout, if longer) is stalled: health {@code backgroundLoops} turns DOWN
 */
@ConfigurationProperties("reelay.loops")
public record LoopSettings(@DefaultValue("1m") Duration iterationTimeout, @DefaultValue("3m") Duration stallAfter) {

}
