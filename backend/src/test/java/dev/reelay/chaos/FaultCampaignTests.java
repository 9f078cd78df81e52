package dev.reelay.chaos;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A few seeds of the fault campaign ({@link Campaign}) on every build: two Reelay JVMs on one PostgreSQL and one
 * adversarial provider, restarted, killed, cut off from and restarted under, while jobs are submitted and canceled.
 * Each seed's schedule is fixed by its seed; what fails here is an invariant, named with the seed to rerun
 * ({@code ./mvnw -Pchaos -Dchaos.seed=...}). The long campaign is {@link LongFaultCampaign}.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class FaultCampaignTests {

	private static FaultRig rig;

	@BeforeAll
	static void startRig() {
		rig = new FaultRig(Path.of("target", "chaos", "ci"));
	}

	@AfterAll
	static void stopRig() {
		if (rig != null) {
			rig.close();
		}
	}

	@ParameterizedTest(name = "seed {0}")
	// 13 draws a graceful restart, 42 a SIGKILL; each meets both database faults and a provider spell too.
	@ValueSource(longs = { 13, 42 })
	void everyInvariantHoldsUnderTheSeedsSchedule(long seed) throws Exception {
		Campaign.Report report = new Campaign(rig, seed, Duration.ofSeconds(20), 12, Duration.ofSeconds(120)).run();
		System.out.println(report.summary());
		assertThat(report.jobs()).as("jobs the run submitted").isEqualTo(12);
		assertThat(report.faults()).as("faults the run injected").containsKeys("terminate_backends", "postgres_restart")
			.containsAnyOf(java.util.Map.entry("kill", 1), java.util.Map.entry("graceful_restart", 1));
		// Violations of the one known cause (Invariants.KNOWN_CANCELED_UNKNOWN_CREATE) are printed, not failed on.
		assertThat(report.violations()).as(report.summary()).isEmpty();
	}

}
