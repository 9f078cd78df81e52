package dev.reelay.database;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.reactive.TransactionCallback;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The application's {@link TransactionalOperator}: every transactional unit runs to its commit or rollback even when
 * whoever waits for it cancels (a stopping loop, a client that hangs up, a timeout). spring-r2dbc's transaction
 * manager has no cancel handling while it begins a transaction: a cancel that lands during {@code BEGIN} returns
 * the connection to the pool still inside the transaction, where it sits idle holding whatever it locked. So the
 * unit is subscribed on its own and the caller only observes its outcome; a cancelled caller stops observing, the
 * unit still ends cleanly. {@code reelay.database.session.idle-in-transaction-timeout} is the server-side backstop.
 */
final class ShieldedTransactions implements TransactionalOperator {

	private static final Logger log = LoggerFactory.getLogger(ShieldedTransactions.class);

	private final TransactionalOperator delegate;

	ShieldedTransactions(ReactiveTransactionManager transactions) {
		this.delegate = TransactionalOperator.create(transactions);
	}

	@Override
	public <T> Mono<T> transactional(Mono<T> mono) {
		return shield(this.delegate.transactional(mono));
	}

	@Override
	public <T> Flux<T> transactional(Flux<T> flux) {
		return execute((status) -> flux);
	}

	/**
	 * The unit's rows are collected before they are handed on: a unit must commit whether or not anyone still reads
	 * them. Reelay's transactional units answer a handful of rows (bounded by claim sizes), never a stream.
	 */
	@Override
	public <T> Flux<T> execute(TransactionCallback<T> action) throws TransactionException {
		Mono<List<T>> unit = this.delegate.execute(action).collectList();
		return shield(unit).flatMapIterable((rows) -> rows);
	}

	/** Subscribes {@code unit} independently (with the caller's context); the answer is its outcome. */
	static <T> Mono<T> shield(Mono<T> unit) {
		return Mono.deferContextual((context) -> {
			Sinks.One<T> outcome = Sinks.one();
			unit.contextWrite(context).subscribe((value) -> outcome.tryEmitValue(value), (error) -> {
				if (outcome.tryEmitError(error).isFailure() || outcome.currentSubscriberCount() == 0) {
					log.debug("a transaction whose caller had gone ended in an error: {}", error.toString());
				}
			}, outcome::tryEmitEmpty);
			return outcome.asMono();
		});
	}

}
