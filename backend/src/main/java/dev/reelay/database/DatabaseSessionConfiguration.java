package dev.reelay.database;

import io.r2dbc.spi.Option;

import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Database discipline for every connection Reelay opens. {@link DatabaseSessionSettings} go in each connection's
 * startup message (r2dbc-postgresql's {@code options}), so they apply from the first statement on the embedded
 * server, an external one and the tests' alike, with no extra round trip and no way for a pooled connection to miss
 * them. Transactions run shielded from cancellation ({@link ShieldedTransactions}).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseSessionConfiguration {

	private static final Option<Object> OPTIONS = Option.valueOf("options");

	@Bean
	ConnectionFactoryOptionsBuilderCustomizer sessionTimeouts(DatabaseSessionSettings settings) {
		return (builder) -> builder.option(OPTIONS, settings.parameters());
	}

	/** Replaces Spring Boot's operator (which backs off when one exists): see {@link ShieldedTransactions}. */
	@Bean
	TransactionalOperator transactionalOperator(ReactiveTransactionManager transactions) {
		return new ShieldedTransactions(transactions);
	}

}
