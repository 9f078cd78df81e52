package dev.reelay.web;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Set;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Whether an error means the database cannot serve right now (unreachable, no pooled connection within the acquire
 * timeout, a lock or statement timeout, the server shutting down): a condition that passes, answered 503 with
 * Retry-After rather than a 500 that says Reelay is broken.
 */
final class DatabaseUnavailable {

	// lock_not_available, query_canceled (statement_timeout), admin/crash shutdown, cannot connect now,
	// too many connections, idle-in-transaction timeout.
	private static final Set<String> STATES = Set.of("55P03", "57014", "57P01", "57P02", "57P03", "53300", "25P03");

	/** About the pool's acquire timeout: long enough for a lock or a restart to pass, short enough to feel live. */
	static final Duration RETRY_AFTER = Duration.ofSeconds(5);

	static final String DETAIL = "Reelay cannot reach its database right now. Nothing was changed; try again after "
			+ RETRY_AFTER.toSeconds() + " seconds.";

	private DatabaseUnavailable() {
	}

	static boolean is(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof R2dbcTimeoutException || current instanceof R2dbcTransientResourceException
					|| current instanceof R2dbcNonTransientResourceException || current instanceof ConnectException
					|| current instanceof DataAccessResourceFailureException || current instanceof QueryTimeoutException
					|| current instanceof TransientDataAccessResourceException
					|| current instanceof CannotAcquireLockException
					|| current instanceof CannotCreateTransactionException) {
				return true;
			}
			if (current instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null
					&& (STATES.contains(r2dbc.getSqlState()) || r2dbc.getSqlState().startsWith("08"))) {
				return true;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

}
