package dev.reelay.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Turns at claiming, driven by hand: each turn ends when the test ends it, so what runs when is decided by the
 * wake-ups alone (no timer, no sleeps).
 */
class ClaimTurnsTests {

	private final List<String> began = new ArrayList<>();

	private final Map<String, List<Sinks.One<Boolean>>> turns = new ConcurrentHashMap<>();

	private Mono<Boolean> turn(String instance) {
		Sinks.One<Boolean> end = Sinks.one();
		synchronized (this.began) {
			this.began.add(instance);
		}
		this.turns.computeIfAbsent(instance, (name) -> new ArrayList<>()).add(end);
		return end.asMono();
	}

	private void end(String instance, int turn, boolean full) {
		this.turns.get(instance).get(turn).tryEmitValue(full);
	}

	@Test
	void aWakeUpDuringATurnIsKeptAsOneMoreTurnRightAfterIt() {
		ClaimTurns claims = new ClaimTurns(4, this::turn);
		claims.wake("p");
		assertThat(this.began).containsExactly("p");
		// Queued while the claim runs: its statement may have missed these jobs.
		claims.wake("p");
		claims.wake("p");
		claims.wake("p");
		assertThat(this.began).containsExactly("p");
		end("p", 0, false);
		// One more turn, however many wake-ups came: it sees all their jobs.
		assertThat(this.began).containsExactly("p", "p");
		end("p", 1, false);
		assertThat(this.began).containsExactly("p", "p");
	}

	@Test
	void aWakeUpAfterATurnEndedStartsANewOne() {
		ClaimTurns claims = new ClaimTurns(4, this::turn);
		claims.wake("p");
		end("p", 0, false);
		claims.wake("p");
		assertThat(this.began).containsExactly("p", "p");
	}

	@Test
	void aTurnThatCameBackFullIsFollowedByAnother() {
		ClaimTurns claims = new ClaimTurns(4, this::turn);
		claims.wake("p");
		end("p", 0, true);
		assertThat(this.began).containsExactly("p", "p");
		end("p", 1, false);
		assertThat(this.began).containsExactly("p", "p");
	}

	@Test
	void instancesClaimSideBySideUpToTheBoundAndTheRestWaitTheirTurn() {
		ClaimTurns claims = new ClaimTurns(2, this::turn);
		claims.wake("a");
		claims.wake("b");
		claims.wake("c");
		// "a" still claiming does not hold up "b"; "c" waits for a place, not for "a" in particular.
		assertThat(this.began).containsExactly("a", "b");
		// Woken again while it waits, "c" still gets one turn: it has not looked yet.
		claims.wake("c");
		end("b", 0, false);
		assertThat(this.began).containsExactly("a", "b", "c");
		claims.wake("a");
		end("c", 0, false);
		end("a", 0, false);
		assertThat(this.began).containsExactly("a", "b", "c", "a");
	}

	@Test
	void aFailedTurnDoesNotStopLaterOnes() {
		ClaimTurns claims = new ClaimTurns(1, (instance) -> {
			turn(instance);
			return Mono.error(new IllegalStateException("the claim's statement failed"));
		});
		claims.wake("p");
		claims.wake("p");
		assertThat(this.began).containsExactly("p", "p");
	}

	@Test
	void aTurnThatThrowsAsItIsPutTogetherDoesNotStopLaterOnes() {
		ClaimTurns claims = new ClaimTurns(1, (instance) -> {
			synchronized (this.began) {
				this.began.add(instance);
			}
			throw new IllegalStateException("the provider registry could not be read");
		});
		claims.wake("p");
		claims.wake("q");
		claims.wake("p");
		assertThat(this.began).containsExactly("p", "q", "p");
	}

	@Test
	void noTurnsAfterTheStop() {
		ClaimTurns claims = new ClaimTurns(1, this::turn);
		claims.wake("a");
		claims.wake("b");
		claims.stop();
		claims.wake("c");
		assertThat(this.began).containsExactly("a");
	}

}
