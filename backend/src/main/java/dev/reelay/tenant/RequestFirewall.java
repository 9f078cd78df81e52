package dev.reelay.tenant;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The first thing every request meets: Spring Security's {@link StrictServerWebExchangeFirewall} refuses paths that
 * different layers could read differently (matrix parameters {@code ;}, encoded {@code /}, {@code .}, {@code %} and
 * {@code \}, NUL, CR/LF, {@code //}, {@code /./}, {@code /../}), unknown HTTP methods, and header names or values
 * with control characters. A refused request gets a 400 problem before any authentication or routing runs.
 *
 * <p>Why both this and {@link ApiGate} deciding on the routed path: the gate closes the bypass by reading the path
 * exactly as the router does (decoded, without matrix parameters); the firewall removes the spellings for which
 * "as the router does" would depend on the router's version, so the next mismatch cannot open a hole either.
 */
@Component
// Right after the security-header filter (HIGHEST_PRECEDENCE), so that a refusal carries the headers too.
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestFirewall implements WebFilter {

	static final URI REJECTED = URI.create("https://reelay.dev/problems/request-rejected");

	private static final Logger log = LoggerFactory.getLogger(RequestFirewall.class);

	private final StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();

	private final JsonMapper json;

	RequestFirewall(JsonMapper json) {
		this.json = json;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return this.firewall.getFirewalledExchange(exchange)
			.doOnNext(RequestFirewall::checkHeadersAndParameters)
			.onErrorResume(ServerExchangeRejectedException.class, (ex) -> reject(exchange, ex).then(Mono.<ServerWebExchange>empty()))
			// The checked request goes on as it came: every later header read through the firewall's wrappers would
			// only repeat the checks made once here.
			.flatMap((checked) -> chain.filter(exchange));
	}

	/**
	 * The firewalled exchange checks header names and values, and query parameters, only when one is read, so a
	 * refusal could surface deep in a handler as an unexpected error; reading them all once refuses the request here.
	 */
	private static void checkHeadersAndParameters(ServerWebExchange firewalled) {
		HttpHeaders headers = firewalled.getRequest().getHeaders();
		for (String name : headers.headerNames()) {
			headers.get(name);
		}
		firewalled.getRequest().getQueryParams();
	}

	private Mono<Void> reject(ServerWebExchange exchange, ServerExchangeRejectedException ex) {
		// The firewall's own message quotes the offending text; it is for the server log, not for the client.
		log.debug("Refused {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getURI().getRawPath(),
				ex.getMessage());
		if (exchange.getResponse().isCommitted()) {
			return Mono.empty();
		}
		return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.BAD_REQUEST, REJECTED, "Request refused",
				"The request was refused: its path or headers use a form Reelay does not accept (path parameters "
						+ "after ';', encoded '/', '.', '%' or '\\', '..' or '//' segments, control characters, or an "
						+ "unknown method). Send the path exactly as documented."),
				this.json);
	}

}
