package dev.reelay.provider;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reports of cost arrive piecemeal: a later one fills in, and overrides, what an earlier one said. */
class ProviderUsageTests {

	private static final ProviderUsage HELD = new ProviderUsage("per_second", new BigDecimal("50"), null,
			new BigDecimal("0.72"), null);

	@Test
	void aLaterReportFillsInWhatTheEarlierLackedAndWinsWhereBothSpeak() {
		ProviderUsage charged = new ProviderUsage(null, null, new BigDecimal("48"), new BigDecimal("0.69"),
				new BigDecimal("0.69"));
		assertThat(ProviderUsage.merge(HELD, charged)).isEqualTo(new ProviderUsage("per_second", new BigDecimal("50"),
				new BigDecimal("48"), new BigDecimal("0.69"), new BigDecimal("0.69")));
	}

	@Test
	void sayingNothingKeepsWhatWasSaid() {
		assertThat(ProviderUsage.merge(HELD, null)).isSameAs(HELD);
		assertThat(ProviderUsage.merge(null, HELD)).isSameAs(HELD);
		assertThat(ProviderUsage.merge(null, null)).isNull();
	}

}
