package dev.reelay.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.job.JobStatus;
import dev.reelay.support.BadRequestException;
import dev.reelay.tenant.CallerTenant;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/activity?minutes=60}: jobs created per time bucket by the status they are in now, every
 * bucket present (zeros included) so a chart needs no gap handling. Only the caller's jobs count.
 */
@RestController
class ActivityController {

	private static final Duration SMALLEST_BUCKET = Duration.ofSeconds(10);

	private final JobStatistics statistics;

	private final DashboardSettings settings;

	ActivityController(JobStatistics statistics, DashboardSettings settings) {
		this.statistics = statistics;
		this.settings = settings;
	}

	@GetMapping("/api/v1/activity")
	Mono<Activity> activity(@RequestParam(defaultValue = "60") int minutes) {
		long max = this.settings.maxActivityWindow().toMinutes();
		if (minutes < 1 || minutes > max) {
			return Mono.error(new BadRequestException("minutes",
					"minutes must be between 1 and " + max + "; got " + minutes));
		}
		Duration window = Duration.ofMinutes(minutes);
		Duration bucket = window.dividedBy(this.settings.activityBuckets());
		if (bucket.compareTo(SMALLEST_BUCKET) < 0) {
			bucket = SMALLEST_BUCKET;
		}
		long size = bucket.toMillis();
		int count = (int) ((window.toMillis() + size - 1) / size);
		// Buckets are aligned to whole multiples of their size so they do not shift every time the page asks.
		Instant lastStart = Instant.ofEpochMilli(Math.floorDiv(Instant.now().toEpochMilli(), size) * size);
		Instant from = lastStart.minusMillis(size * (count - 1));
		Duration step = bucket;
		return CallerTenant.current().flatMap((tenant) -> this.statistics.createdSince(tenant, from, step).collectList()).map((rows) -> {
			Map<Instant, Map<String, Long>> buckets = new LinkedHashMap<>();
			for (int i = 0; i < count; i++) {
				buckets.put(from.plus(step.multipliedBy(i)), zeros());
			}
			rows.forEach((row) -> buckets.computeIfAbsent(row.bucket(), (start) -> zeros())
				.merge(row.status().value(), row.jobs(), Long::sum));
			List<Bucket> data = new ArrayList<>(buckets.size());
			buckets.forEach((start, counts) -> data.add(new Bucket(start, counts)));
			return new Activity(from, lastStart.plus(step), step.toSeconds(), data);
		});
	}

	private static Map<String, Long> zeros() {
		Map<String, Long> counts = new LinkedHashMap<>();
		Arrays.stream(JobStatus.values()).forEach((status) -> counts.put(status.value(), 0L));
		return counts;
	}

	record Activity(Instant from, Instant to, long bucketSeconds, List<Bucket> buckets) {
	}

	record Bucket(Instant start, Map<String, Long> counts) {
	}

}
