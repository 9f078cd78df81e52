package dev.reelay.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No database wait is unbounded: session timeouts reach every pooled connection, a held lock fails a write fast, an
 * exhausted pool fails a request within the acquire timeout, both as 503 with Retry-After, and a transaction
 * cancelled while it begins leaves no session idle in transaction. A context of its own (small pool, short lock
 * timeout, a backstop too long to hide a leak), its sessions told apart by their application name.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.database.session.lock-timeout=1s",
				"reelay.database.session.idle-in-transaction-timeout=10m", "spring.r2dbc.pool.initial-size=1",
				"spring.r2dbc.pool.max-size=2", "spring.r2dbc.properties.applicationName=" + DatabaseDisciplineTests.NAME })
class DatabaseDisciplineTests {

	static final String NAME = "reelay-database-discipline-tests";

	@LocalServerPort
	private int port;

	@Autowired
	private Environment environment;

	@Autowired
	private ConnectionFactory pool;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private TransactionalOperator tx;

	private WebTestClient http;

	/** Outside the application's pool, so that what the test holds or asks never competes with it. */
	private ConnectionFactory direct;

	private final List<Connection> held = new ArrayList<>();

	@BeforeEach
	void clients() {
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		ConnectionFactoryOptions options = ConnectionFactoryOptions
			.parse(this.environment.getRequiredProperty("spring.r2dbc.url"))
			.mutate()
			.option(ConnectionFactoryOptions.USER, this.environment.getRequiredProperty("spring.r2dbc.username"))
			.option(ConnectionFactoryOptions.PASSWORD, this.environment.getRequiredProperty("spring.r2dbc.password"))
			.build();
		this.direct = ConnectionFactories.get(options);
	}

	@AfterEach
	void release() {
		Flux.fromIterable(this.held).concatMap((connection) -> Mono.from(connection.close())).blockLast();
		this.held.clear();
	}

	@Test
	void everyPooledConnectionCarriesTheSessionTimeouts() {
		Map<String, Object> settings = this.db
			.sql("SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock, "
					+ "current_setting('idle_in_transaction_session_timeout') AS idle")
			.fetch()
			.one()
			.block(Duration.ofSeconds(30));
		assertThat(settings).containsEntry("statement", "2min").containsEntry("lock", "1s").containsEntry("idle", "10min");
	}

	@Test
	void aWriteBlockedByAHeldLockFailsFastWith503() {
		String id = createJob();
		Connection locker = hold(this.direct);
		Mono.from(locker.beginTransaction()).block(Duration.ofSeconds(30));
		Flux.from(locker.createStatement("SELECT id FROM jobs WHERE id = $1 FOR UPDATE").bind("$1", UUID.fromString(id))
			.execute()).flatMap((result) -> result.getRowsUpdated()).blockLast(Duration.ofSeconds(30));

		long start = System.nanoTime();
		// Without lock_timeout the cancel waits for as long as the lock is held: past this client's 30 s timeout.
		this.http.post()
			.uri("/api/v1/jobs/{id}/cancel", id)
			.exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().exists("Retry-After")
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("database")
				.doesNotContain("55P03").doesNotContain("R2dbc"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
	}

	@Test
	void withEveryPooledConnectionHeldARequestFailsWithinTheAcquireTimeout() {
		// Both connections of the pool (max-size 2), taken as soon as they are free.
		hold(this.pool);
		hold(this.pool);
		long start = System.nanoTime();
		this.http.get()
			.uri("/api/v1/jobs")
			.exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().valueEquals("Retry-After", "5");
		// max-acquire-time is 5 s (application.yaml); without it the request waits for as long as they are held.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
	}

	@Test
	void aTransactionCancelledWhileItBeginsLeavesNoSessionIdleInTransaction() {
		// Cancels landing at every moment of acquire, BEGIN, the statement and COMMIT: some land during BEGIN.
		Mono<Void> unit = this.tx.transactional(this.db.sql("SELECT pg_sleep(0.001)").then());
		Flux.range(0, 300)
			.concatMap((i) -> unit.timeout(Duration.ofNanos(50_000L * (i % 60)), Mono.empty())
				.onErrorResume((error) -> Mono.empty()))
			.blockLast(Duration.ofMinutes(3));
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(idleInTransaction()).isZero());
		// And the pool still serves: nothing leaked out of it.
		assertThat(this.tx.transactional(this.db.sql("SELECT 1").fetch().one()).block(Duration.ofSeconds(30)))
			.isNotNull();
	}

	private long idleInTransaction() {
		return Mono.usingWhen(Mono.from(this.direct.create()), (connection) -> Flux.from(connection
			.createStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 "
					+ "AND state LIKE 'idle in transaction%'")
			.bind("$1", NAME)
			.execute()).flatMap((result) -> result.map((row, meta) -> row.get(0, Long.class))).next(),
				Connection::close)
			.block(Duration.ofSeconds(30));
	}

	private Connection hold(ConnectionFactory factory) {
		Connection connection = Mono.from(factory.create())
			.retryWhen(reactor.util.retry.Retry.fixedDelay(100, Duration.ofMillis(100)))
			.block(Duration.ofSeconds(60));
		this.held.add(connection);
		return connection;
	}

	private String createJob() {
		return this.http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", "a cat who waits for a lock"))
			.exchange()
			.expectStatus().isAccepted()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.toString();
	}

}
