import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed-rate (open-loop) client for bench/m1-accept.sh, as wrk2 would be (Debian ships only wrk): requests are
 * sent on a schedule whatever the answers, and each latency counts from when its request was due, so a stall
 * shows in the figures instead of slowing the sender down (no coordinated omission).
 *
 * <p>Run with the JDK's source launcher: {@code java OpenLoop.java URL KEY MODEL RATE SECONDS}. Prints one line:
 * {@code sent=N ok=N failed=N rate=R p50=MS p90=MS p99=MS p999=MS max=MS}.
 */
public class OpenLoop {

	public static void main(String[] args) throws Exception {
		URI uri = URI.create(args[0]);
		String key = args[1];
		String model = args[2];
		double rate = Double.parseDouble(args[3]);
		int seconds = Integer.parseInt(args[4]);
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.executor(Executors.newFixedThreadPool(2))
			.build();
		long total = (long) (rate * seconds);
		long intervalNanos = (long) (1_000_000_000L / rate);
		ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
		AtomicLong failed = new AtomicLong();
		CountDownLatch done = new CountDownLatch((int) total);
		var timer = Executors.newSingleThreadScheduledExecutor();
		long start = System.nanoTime() + 100_000_000L;
		AtomicLong next = new AtomicLong();
		timer.scheduleAtFixedRate(() -> {
			long now = System.nanoTime();
			while (next.get() < total) {
				long index = next.get();
				long due = start + index * intervalNanos;
				if (due > now) {
					break;
				}
				next.incrementAndGet();
				String body = "{\"model\":\"" + model + "\",\"prompt\":\"a lighthouse at dusk, slow pan, open loop "
						+ index + "\",\"duration_seconds\":4,\"aspect_ratio\":\"16:9\",\"resolution\":\"720p\"}";
				HttpRequest request = HttpRequest.newBuilder(uri)
					.timeout(Duration.ofSeconds(30))
					.header("Content-Type", "application/json")
					.header("Authorization", "Bearer " + key)
					.POST(HttpRequest.BodyPublishers.ofString(body))
					.build();
				http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
					if (error != null || response.statusCode() >= 300) {
						failed.incrementAndGet();
					}
					latencies.add(System.nanoTime() - due);
					done.countDown();
				});
			}
		}, 0, 1, TimeUnit.MILLISECONDS);
		boolean finished = done.await(seconds + 60L, TimeUnit.SECONDS);
		double elapsed = (System.nanoTime() - start) / 1e9;
		timer.shutdownNow();
		long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
		System.out.printf("sent=%d ok=%d failed=%d rate=%.1f p50=%.1f p90=%.1f p99=%.1f p999=%.1f max=%.1f%s%n",
				next.get(), sorted.length - failed.get(), failed.get() + (total - sorted.length),
				sorted.length / elapsed, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 0.999),
				ms(sorted, 1.0), finished ? "" : " unfinished");
		System.exit(0);
	}

	private static double ms(long[] sorted, double quantile) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
		return sorted[Math.max(index, 0)] / 1e6;
	}

}
