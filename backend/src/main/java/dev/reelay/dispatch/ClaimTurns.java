package dev.reelay.dispatch;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Turns at claiming, one provider instance at a time per instance and at most {@code concurrency} instances at once,
 * each on its own: a slow claim for one instance never holds up another's. A wake-up that arrives while an instance
 * is claiming is kept as one more turn right after it (however many arrive, one: that turn sees everything they
 * announced), so a job queued or a slot freed mid-claim never waits for the next tick; a turn that answers
 * {@code true} (its claim came back full: there may be more) is followed by another at once too. The line of
 * instances waiting for a turn holds each at most once: it is bounded by the number of instances.
 */
final class ClaimTurns {

	private static final int IDLE = 0;

	private static final int WAITING = 1;

	private static final int CLAIMING = 2;

	/** Claiming, and woken since the claim began: one more turn when it ends. */
	private static final int AGAIN = 3;

	private final int concurrency;

	private final Function<String, Mono<Boolean>> turn;

	private final Map<String, AtomicInteger> states = new ConcurrentHashMap<>();

	private final Queue<String> line = new ConcurrentLinkedQueue<>();

	private final AtomicInteger claiming = new AtomicInteger();

	private final Disposable.Composite running = Disposables.composite();

	private volatile boolean stopped;

	ClaimTurns(int concurrency, Function<String, Mono<Boolean>> turn) {
		this.concurrency = Math.max(1, concurrency);
		this.turn = turn;
	}

	/** Asks for a turn for {@code instance}: now if it is idle and a place is free, else as soon as possible. */
	void wake(String instance) {
		if (this.stopped) {
			return;
		}
		AtomicInteger state = this.states.computeIfAbsent(instance, (name) -> new AtomicInteger(IDLE));
		while (true) {
			int now = state.get();
			if (now == IDLE) {
				if (state.compareAndSet(IDLE, WAITING)) {
					this.line.add(instance);
					drain();
					return;
				}
			}
			else if (now == CLAIMING) {
				if (state.compareAndSet(CLAIMING, AGAIN)) {
					return;
				}
			}
			else {
				// Waiting: its turn has not begun, so it will see what this wake-up announces. Again: already asked.
				return;
			}
		}
	}

	/** Stops giving turns and cuts off the running ones. */
	void stop() {
		this.stopped = true;
		this.line.clear();
		this.running.dispose();
	}

	private void drain() {
		while (!this.stopped && !this.line.isEmpty()) {
			int busy = this.claiming.get();
			if (busy >= this.concurrency) {
				// The turn that ends next drains again.
				return;
			}
			if (!this.claiming.compareAndSet(busy, busy + 1)) {
				continue;
			}
			String next = this.line.poll();
			if (next == null) {
				this.claiming.decrementAndGet();
				continue;
			}
			begin(next);
		}
	}

	private void begin(String instance) {
		AtomicInteger state = this.states.get(instance);
		state.set(CLAIMING);
		boolean[] more = { false };
		Disposable.Swap slot = Disposables.swap();
		this.running.add(slot);
		// Deferred: a turn that throws as it is put together fails like any other, and the instance gets turns again.
		slot.update(Mono.defer(() -> this.turn.apply(instance))
			.doOnNext((full) -> more[0] = full)
			.doFinally((signal) -> {
				this.running.remove(slot);
				this.claiming.decrementAndGet();
				if (signal != SignalType.CANCEL) {
					ended(instance, state, more[0]);
				}
				drain();
			})
			.subscribe((full) -> {
			}, (error) -> {
			}));
	}

	private void ended(String instance, AtomicInteger state, boolean more) {
		if (!more && state.compareAndSet(CLAIMING, IDLE)) {
			return;
		}
		// Woken during the turn, or the turn came back full: one more.
		state.set(WAITING);
		if (!this.stopped) {
			this.line.add(instance);
		}
	}

}
