package dev.reelay.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault campaign on demand, for as long as asked: {@code ./mvnw -B -o -pl backend -am verify -Pchaos
 * -Dchaos.seed=42 -Dchaos.duration=10m}. Runs seed after seed (the given one, then the next ones) of about two
 * minutes each until the duration is used up, on one rig, and prints each run's summary and the totals. Not run by
 * a plain build: its name is not a test class name, and only the {@code chaos} profile includes it.
 */
class LongFaultCampaign {

	@Test
	void campaign() throws Exception {
		long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
		Duration total = Duration.parse("PT" + System.getProperty("chaos.duration", "10m").toUpperCase());
		long deadline = System.nanoTime() + total.toNanos();
		List<Campaign.Report> reports = new ArrayList<>();
		try (FaultRig rig = new FaultRig(Path.of("target", "chaos", "long"))) {
			while (reports.isEmpty() || System.nanoTime() < deadline) {
				Duration left = Duration.ofNanos(deadline - System.nanoTime());
				Duration run = (left.compareTo(Duration.ofSeconds(150)) > 0) ? Duration.ofSeconds(120)
						: Duration.ofSeconds(Math.max(30, left.toSeconds() - 30));
				Campaign.Report report = new Campaign(rig, seed + reports.size(), run, (int) (run.toSeconds() / 2),
						Duration.ofSeconds(180)).run();
				System.out.println(report.summary());
				reports.add(report);
			}
		}
		int jobs = reports.stream().mapToInt(Campaign.Report::jobs).sum();
		long violations = reports.stream().mapToLong((report) -> report.violations().size()).sum();
		long known = reports.stream().mapToLong((report) -> report.known().size()).sum();
		Invariants.Recovery longest = reports.stream()
			.map(Campaign.Report::longestRecovery)
			.max(java.util.Comparator.comparing(Invariants.Recovery::took))
			.orElseThrow();
		java.util.Map<String, Integer> faults = new java.util.TreeMap<>();
		reports.forEach((report) -> report.faults().forEach((kind, count) -> faults.merge(kind, count, Integer::sum)));
		System.out.println("chaos campaign: seeds " + seed + ".." + (seed + reports.size() - 1) + ", jobs=" + jobs
				+ ", faults=" + faults + ", violations=" + violations + ", known=" + known + ", longest recovery="
				+ longest);
		assertThat(violations).as("invariant violations; see each seed's summary above").isZero();
		// -Dchaos.strict=true counts the known ones too (Invariants.KNOWN_CANCELED_UNKNOWN_CREATE).
		if (Boolean.getBoolean("chaos.strict")) {
			assertThat(known).as("violations of a known cause").isZero();
		}
	}

}
