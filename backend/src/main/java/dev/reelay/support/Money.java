package dev.reelay.support;

import java.math.BigDecimal;

/** An amount of money as clients see it: exact decimal, at least cents, no trailing zeros beyond them. */
public record Money(BigDecimal amount, String currency) {

	public static Money of(BigDecimal amount, String currency) {
		BigDecimal plain = amount.stripTrailingZeros();
		return new Money((plain.scale() < 2) ? plain.setScale(2) : plain, currency);
	}

}
