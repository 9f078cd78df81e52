package dev.reelay.database;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code reelay.database.session.*}: bounds on every wait inside PostgreSQL, set on each of Reelay's connections
 * (pooled and the event listener's) as session parameters, so they hold whichever server is used. {@code 0}
 * switches one off. Flyway migrates over its own JDBC connection and is not bound by them.
 *
 * @param statementTimeout longest any one statement may run; far above any statement Reelay makes (claims, batched
 * deletes), it only ends a statement stuck on a frozen server or an unexpected plan
 * @param lockTimeout longest a statement waits for a row, table or advisory lock before it fails (and the request
 * answers 503, the loop tries again), instead of holding a pooled connection for as long as the lock is held
 * @param idleInTransactionTimeout the server ends a session left idle inside a transaction this long: the backstop
 * for a connection leaked mid-transaction, whose locks would otherwise be held forever
 */
@ConfigurationProperties("reelay.database.session")
record DatabaseSessionSettings(@DefaultValue("2m") Duration statementTimeout, @DefaultValue("5s") Duration lockTimeout,
		@DefaultValue("30s") Duration idleInTransactionTimeout) {

	/** PostgreSQL's parameter names and values (milliseconds; 0 is PostgreSQL's "no limit"). */
	Map<String, String> parameters() {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("statement_timeout", Long.toString(this.statementTimeout.toMillis()));
		parameters.put("lock_timeout", Long.toString(this.lockTimeout.toMillis()));
		parameters.put("idle_in_transaction_session_timeout", Long.toString(this.idleInTransactionTimeout.toMillis()));
		return parameters;
	}

}
