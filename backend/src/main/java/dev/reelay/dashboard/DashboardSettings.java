package dev.reelay.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How far back the dashboard looks: {@code rateLimitWindow} for "recent 429s", {@code maxActivityWindow} caps the
 * jobs-over-time chart so one request cannot ask for a year of buckets.
 */
@ConfigurationProperties("reelay.dashboard")
record DashboardSettings(@DefaultValue("15m") Duration rateLimitWindow, @DefaultValue("24h") Duration maxActivityWindow,
		@DefaultValue("30") int activityBuckets) {
}
