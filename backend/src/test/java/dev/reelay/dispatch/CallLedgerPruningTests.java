package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The call ledger keeps every call the longest configured window still counts, and no more. Pruning is timed at a
 * moment long past, so it can only touch this test's own rows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class CallLedgerPruningTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Instant NOW = Instant.parse("2001-01-01T00:00:00Z");

	@Autowired
	private CallLedger ledger;

	@Autowired
	private DatabaseClient db;

	@Test
	void aWindowLongerThanADayKeepsItsCalls() {
		String scope = "weekly-" + UUID.randomUUID();
		record(scope, NOW.minus(Duration.ofDays(2)));
		record(scope, NOW.minus(Duration.ofDays(6)));
		record(scope, NOW.minus(Duration.ofDays(8)));
		Limits weekly = new Limits(new Limits.Rate(100, Duration.ofDays(7)), null, null, null, Duration.ofSeconds(30),
				Map.of());
		this.ledger.prune(NOW, settings(Map.of("a", Limits.NONE, "b", weekly)).ledgerKept()).block(WAIT);
		assertThat(this.ledger.countSince(scope, CallLedger.SUBMIT, NOW, Duration.ofDays(7)).block(WAIT)).isEqualTo(2);
		assertThat(calls(scope)).isEqualTo(2);
	}

	@Test
	void aPerDayLimitKeepsADayAndItsMargin() {
		String scope = "daily-" + UUID.randomUUID();
		record(scope, NOW.minus(Duration.ofHours(24)).plusSeconds(5));
		record(scope, NOW.minus(Duration.ofHours(25)));
		Limits daily = new Limits(null, 10, null, null, Duration.ofSeconds(30), Map.of());
		this.ledger.prune(NOW, settings(Map.of("p", daily)).ledgerKept()).block(WAIT);
		assertThat(calls(scope)).isEqualTo(1);
	}

	@Test
	void shortWindowsOnlyKeepTheTableSmall() {
		String scope = "minutely-" + UUID.randomUUID();
		record(scope, NOW.minus(Duration.ofSeconds(30)));
		record(scope, NOW.minus(Duration.ofHours(3)));
		Limits minutely = new Limits(new Limits.Rate(5, Duration.ofMinutes(1)), null, null,
				new Limits.Rate(60, Duration.ofMinutes(1)), Duration.ofSeconds(30),
				Map.of("m", new Limits.ModelLimits(new Limits.Rate(1, Duration.ofMinutes(10)), null)));
		this.ledger.prune(NOW, settings(Map.of("p", minutely)).ledgerKept()).block(WAIT);
		assertThat(calls(scope)).isEqualTo(1);
	}

	private void record(String scope, Instant at) {
		this.ledger.record(scope, CallLedger.SUBMIT, at, 1).block(WAIT);
	}

	private long calls(String scope) {
		return this.db.sql("SELECT count(*) AS n FROM provider_calls WHERE scope = :scope")
			.bind("scope", scope)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	private static DispatchSettings settings(Map<String, Limits> limits) {
		return new DispatchSettings(true, Duration.ofMillis(500), 8, Duration.ofSeconds(30), Duration.ofSeconds(50),
				Duration.ofSeconds(2), Duration.ofMinutes(5), 8, "pruning", Duration.ofSeconds(1), limits,
				Duration.ofSeconds(20));
	}

}
