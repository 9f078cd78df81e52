package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * What the simulator (the provider stand-in) saw: every create it accepted, which a real provider would have
 * billed. Limits and double billing are judged from here, not from Reelay's own bookkeeping.
 */
record StandInLedger(List<Create> creates) {

	static StandInLedger read(DatabaseClient db, String promptPrefix) {
		List<Create> creates = db.sql("SELECT prompt, created_at, generation_ms FROM simulator_videos "
				+ "WHERE prompt LIKE :prefix ORDER BY created_at")
			.bind("prefix", promptPrefix + "%")
			.map((row) -> new Create(row.get("prompt", String.class), row.get("created_at", Instant.class),
					Duration.ofMillis(row.get("generation_ms", Long.class))))
			.all()
			.collectList()
			.block();
		return new StandInLedger(creates);
	}

	/** Creates per prompt: more than one means a job was paid for twice. */
	Map<String, Long> createsPerPrompt() {
		return this.creates.stream().collect(Collectors.groupingBy(Create::prompt, Collectors.counting()));
	}

	/** The most creates that arrived within any window of this length. */
	long mostCreatesWithin(Duration window) {
		return this.creates.stream()
			.mapToLong((first) -> this.creates.stream()
				.filter((other) -> !other.at().isBefore(first.at()) && other.at().isBefore(first.at().plus(window)))
				.count())
			.max()
			.orElse(0);
	}

	/** The most generations the stand-in was running at once. */
	long mostRunningAtOnce() {
		Function<Instant, Long> runningAt = (instant) -> this.creates.stream()
			.filter((create) -> !create.at().isAfter(instant) && create.at().plus(create.generation()).isAfter(instant))
			.count();
		return this.creates.stream().map(Create::at).map(runningAt).max(Long::compare).orElse(0L);
	}

	record Create(String prompt, Instant at, Duration generation) {
	}

}
