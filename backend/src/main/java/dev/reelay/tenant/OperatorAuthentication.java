package dev.reelay.tenant;

import java.util.List;

import reactor.util.context.Context;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;

/**
 * The operator, as Spring Security's reactive context names it: the actuator shows health details and components
 * ({@code show-details: when-authorized}) only to a request whose context holds an authentication. Reelay uses no
 * other part of Spring Security's authentication: keys are checked by {@link ApiGate}.
 */
final class OperatorAuthentication {

	private static final UsernamePasswordAuthenticationToken OPERATOR = UsernamePasswordAuthenticationToken
		.authenticated("reelay-operator", null, List.of());

	private OperatorAuthentication() {
	}

	static Context context() {
		return ReactiveSecurityContextHolder.withAuthentication(OPERATOR);
	}

}
