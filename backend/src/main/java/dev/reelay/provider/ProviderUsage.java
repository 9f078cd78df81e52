package dev.reelay.provider;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;

import org.springframework.modulith.NamedInterface;

/**
 * What a provider said a generation costs, in its own terms: how it bills, the credits it held when it accepted the
 * job, the credits it finally charged, and cost figures when it gives them ({@code estimatedCost} in the provider's
 * own unit, {@code costUsd} only when it says dollars). Providers tell these at different times (EvoLink holds
 * credits at create and settles after the end), so a later report fills in what an earlier one lacked.
 */
@NamedInterface("view")
public record ProviderUsage(@Nullable String billingRule, @Nullable BigDecimal creditsReserved,
		@Nullable BigDecimal creditsCharged, @Nullable BigDecimal estimatedCost, @Nullable BigDecimal costUsd) {

	/** {@code earlier} updated by {@code later}: what the later report says wins, what it leaves out is kept. */
	public static @Nullable ProviderUsage merge(@Nullable ProviderUsage earlier, @Nullable ProviderUsage later) {
		if (earlier == null || later == null) {
			return (later != null) ? later : earlier;
		}
		return new ProviderUsage(pick(later.billingRule, earlier.billingRule),
				pick(later.creditsReserved, earlier.creditsReserved),
				pick(later.creditsCharged, earlier.creditsCharged),
				pick(later.estimatedCost, earlier.estimatedCost), pick(later.costUsd, earlier.costUsd));
	}

	private static <T> @Nullable T pick(@Nullable T later, @Nullable T earlier) {
		return (later != null) ? later : earlier;
	}

}
