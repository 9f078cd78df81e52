package dev.reelay.tenant;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Wrong keys and session cookies cost a database lookup each; a client address that keeps presenting them is cut off
 * for a while, before the lookup. A token bucket per address (in a bounded Caffeine map, per instance): each failed
 * lookup takes a token; with none left, lookups from that address, right keys included, wait. The address is the
 * connection's peer, or the client a trusted proxy names (see {@link TrustedProxies}), never a header anyone can
 * send.
 */
@Component
class FailedKeyLookups {

	static final int MAX_ADDRESSES = 100_000;

	private final ClientTrustSettings.FailedKeyLookups limit;

	private final Ticker ticker;

	private final Cache<String, TokenBucket> buckets;

	private final Counter refused;

	private final JsonMapper json;

	FailedKeyLookups(ClientTrustSettings settings, MeterRegistry meters, JsonMapper json) {
		this.json = json;
		ClientTrustSettings.FailedKeyLookups limit = settings.failedKeyLookups();
		Ticker ticker = Ticker.systemTicker();
		if (limit.maxFailures() < 1 || limit.per().isNegative() || limit.per().isZero()) {
			throw new IllegalArgumentException("reelay.security.failed-key-lookups needs max-failures of at least 1 "
					+ "and a positive per; got " + limit.maxFailures() + " per " + limit.per());
		}
		this.limit = limit;
		this.ticker = ticker;
		this.buckets = Caffeine.newBuilder()
			.maximumSize(MAX_ADDRESSES)
			.expireAfterAccess(limit.per().plusSeconds(1))
			.ticker(ticker)
			.build();
		this.refused = Counter.builder("reelay.security.key.lookups.refused")
			.description("Key or session lookups refused before the database because the address failed too often")
			.register(meters);
	}

	/**
	 * Runs {@code lookup} unless the client's address is cut off, counts an empty answer as a failure, and hands the
	 * answer on; a cut-off address gets {@code refusedFor} with the wait instead, and the lookup never runs.
	 */
	<T> Mono<Void> guard(ServerWebExchange exchange, Mono<T> lookup, Function<Optional<T>, Mono<Void>> then,
			Function<Duration, Mono<Void>> refusedFor) {
		String address = addressOf(exchange);
		Duration wait = refusal(address);
		if (!wait.isZero()) {
			return refusedFor.apply(wait);
		}
		return lookup.map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap((found) -> {
			if (found.isEmpty()) {
				failed(address);
			}
			return then.apply(found);
		});
	}

	/** The API's answer to a cut-off address: a 429 problem with {@code Retry-After}. */
	Mono<Void> tooMany(ServerWebExchange exchange, Duration wait) {
		long seconds = seconds(wait);
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.TOO_MANY_REQUESTS, ApiProblems.RATE_LIMITED,
				"Too many wrong keys", "Too many wrong API keys or sign-ins came from your address; keys are not "
						+ "checked from it for " + seconds + " s (retry after that)"),
				this.json);
	}

	/**
	 * How long the address must wait before a key or session of its is looked up; zero when it may now. A refusal is
	 * counted in {@code reelay.security.key.lookups.refused}.
	 */
	Duration refusal(String address) {
		Duration wait = waitFor(address);
		if (!wait.isZero()) {
			this.refused.increment();
		}
		return wait;
	}

	private Duration waitFor(String address) {
		TokenBucket bucket = this.buckets.getIfPresent(address);
		return (bucket != null) ? Duration.ofNanos(bucket.peek(this.ticker.read())) : Duration.ZERO;
	}

	void failed(String address) {
		long now = this.ticker.read();
		double perSecond = this.limit.maxFailures() / (this.limit.per().toNanos() / 1e9);
		this.buckets.get(address, (key) -> new TokenBucket(perSecond, this.limit.maxFailures(), now)).take(now);
	}

	/** The client's address as the server sees it (after {@link TrustedProxies}). */
	static String addressOf(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		@Nullable InetAddress address = (remote != null) ? remote.getAddress() : null;
		return (address != null) ? address.getHostAddress() : "unknown";
	}

	/** Whole seconds, rounded up: a client waiting that long finds a token. */
	static long seconds(Duration wait) {
		return Math.max(1, (wait.toMillis() + 999) / 1000);
	}

}
