package dev.reelay.simulator;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Registers the simulator only where {@link SimulatorAccess#enabledIn} says it runs. */
final class SimulatorEnabledCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return SimulatorAccess.enabledIn(context.getEnvironment())
				? ConditionOutcome.match("the simulator is on (reelay.simulator.enabled, else local mode)")
				: ConditionOutcome.noMatch("the simulator is off (reelay.simulator.enabled, else tenants are on)");
	}

}
