package dev.reelay.dispatch;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a job stops being retried. {@code retries}: polls, reconciles and downloads that failed in a row (each
 * waiting the backoff, doubling from {@code retry-base} up to {@code retry-max}); with the defaults the last try
 * comes about an hour after the first failure. {@code unexpectedErrors}: steps that failed with an error Reelay did
 * not expect (a bug, a corrupt row), which would otherwise be retried forever. Then the job fails with the reason.
 */
@ConfigurationProperties("reelay.dispatch.give-up")
record GiveUpSettings(@DefaultValue("20") int retries, @DefaultValue("5") int unexpectedErrors) {
}
