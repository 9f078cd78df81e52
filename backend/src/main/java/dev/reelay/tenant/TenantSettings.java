package dev.reelay.tenant;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call: {@code adminKey} guards the admin API and, when set, turns the local single-user mode off (every API
 * request then needs a tenant's key). Bound from {@code REELAY_ADMIN_KEY}; never logged. {@code revocationCheck}: how
 * soon an event stream opened with a key that another instance revoked is closed.
 */
@ConfigurationProperties("reelay.security")
record TenantSettings(@Nullable String adminKey, @DefaultValue RateLimit rateLimit,
		@DefaultValue("5s") Duration revocationCheck) {

	/** True when no admin key is configured: every request acts for the local tenant. */
	boolean localMode() {
		return this.adminKey == null || this.adminKey.isBlank();
	}

	// A record's own toString would print the admin key wherever the settings are logged.
	@Override
	public String toString() {
		return "TenantSettings[adminKey=" + (localMode() ? "none" : "(set)") + ", rateLimit=" + this.rateLimit
				+ ", revocationCheck=" + this.revocationCheck + "]";
	}

	/**
	 * Per tenant and per instance: a token bucket refilled at {@code requestsPerSecond} holding up to {@code burst}
	 * requests.
	 */
	record RateLimit(@DefaultValue("100") double requestsPerSecond, @DefaultValue("1000") int burst) {
	}

}
