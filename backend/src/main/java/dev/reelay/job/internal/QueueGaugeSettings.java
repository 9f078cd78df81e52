package dev.reelay.job.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often the queue gauges are read from PostgreSQL. They are read on this schedule, not per scrape, so
 * scrapes from several Prometheus servers cost nothing extra.
 */
@ConfigurationProperties("reelay.metrics")
record QueueGaugeSettings(@DefaultValue("15s") Duration queueRefresh) {
}
