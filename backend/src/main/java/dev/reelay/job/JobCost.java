package dev.reelay.job;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;

/**
 * What a job costs in {@code currency}: the estimate from the catalog price, reserved against the tenant's budget
 * when the job was created, and the actual cost settled when it ended (null until then).
 */
public record JobCost(String currency, BigDecimal estimated, @Nullable BigDecimal actual) {

	public JobCost settled(BigDecimal actualCost) {
		return new JobCost(this.currency, this.estimated, actualCost);
	}

}
