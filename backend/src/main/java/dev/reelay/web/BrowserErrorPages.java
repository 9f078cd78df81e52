package dev.reelay.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Content negotiation for errors: a browser that asks for HTML (a page load, {@code Accept: text/html} ranked above
 * JSON) gets the page-styled error page instead of the RFC 9457 problem every other client keeps, for a 400, a 404
 * or a server error ({@link #hasPage}). It works on the answer rather than on each error's source, so every such
 * problem written after it (controller advice, unknown paths, unexpected errors) turns into the same page with the
 * same status and detail.
 *
 * <p>It runs after {@code RequestFirewall}: the firewall's refusals (ambiguous paths, control characters) stay the
 * plain problem, deliberately; nothing of such a request reaches a template.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class BrowserErrorPages implements WebFilter {

	private static final Logger log = LoggerFactory.getLogger(BrowserErrorPages.class);

	static final String TEMPLATE = "error/error";

	/** A problem is a few hundred bytes; anything larger is not one of ours and is not held in memory. */
	private static final int MAX_PROBLEM = 64 * 1024;

	private static final List<MediaType> HTML = List.of(MediaType.TEXT_HTML, MediaType.APPLICATION_XHTML_XML);

	private final ITemplateEngine templates;

	private final JsonMapper json;

	BrowserErrorPages(ITemplateEngine templates, JsonMapper json) {
		this.templates = templates;
		this.json = json;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!prefersHtml(exchange.getRequest().getHeaders())) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().response(new Pages(exchange)).build());
	}

	/**
	 * True when the client names HTML and ranks it at least as high as any JSON it names: browsers loading a page
	 * send {@code text/html,...,*}{@code /*;q=0.8}; {@code fetch()} and API clients send {@code *}{@code /*} or JSON.
	 */
	static boolean prefersHtml(HttpHeaders headers) {
		List<MediaType> accepted;
		try {
			accepted = headers.getAccept();
		}
		catch (RuntimeException ex) {
			return false;
		}
		double html = 0;
		double json = 0;
		for (MediaType type : accepted) {
			if (type.isWildcardType() || type.isWildcardSubtype()) {
				continue;
			}
			if (HTML.stream().anyMatch(type::equalsTypeAndSubtype)) {
				html = Math.max(html, type.getQualityValue());
			}
			else if ("json".equals(type.getSubtypeSuffix()) || "json".equals(type.getSubtype())) {
				json = Math.max(json, type.getQualityValue());
			}
		}
		return html > 0 && html >= json;
	}

	/**
	 * The errors a person reaches by following or typing an address: a malformed one (400), one that leads nowhere
	 * (404), and the server's failures (5xx). Refusals (401, 403, 429...) stay problems: most are the API gate's, and
	 * the local-mode guard's refusal of another site or a rebound host name must not become a page that then asks
	 * the same refused host for its stylesheet.
	 */
	static boolean hasPage(HttpStatusCode status) {
		return status.value() == 400 || status.value() == 404 || status.is5xxServerError();
	}

	/** The page for one error, from the problem's members; a status alone gives the page its defaults. */
	String render(int status, @Nullable Map<?, ?> problem, String path) {
		String title = text(problem, "title");
		String detail = text(problem, "detail");
		Context context = new Context(Locale.ENGLISH);
		context.setVariable("status", status);
		context.setVariable("error", (title != null) ? title : "Error");
		context.setVariable("heading", heading(status, title));
		context.setVariable("message", message(status, detail));
		context.setVariable("path", path);
		return this.templates.process(TEMPLATE, context);
	}

	/**
	 * The page's heading: plain words for the common cases, whose problem titles are generic; otherwise the
	 * problem's own title, which says what happened ("Host not allowed", "Cross-origin request refused").
	 */
	private static String heading(int status, @Nullable String title) {
		return switch (status) {
			case 400 -> "This request is not valid";
			case 404 -> "Job not found".equals(title) ? title : "Page not found";
			case 500 -> "Something went wrong";
			default -> (title != null && !title.isBlank()) ? title : "The request could not be answered";
		};
	}

	private static String message(int status, @Nullable String detail) {
		if (detail != null && !detail.isBlank()) {
			return detail;
		}
		return switch (status) {
			case 404 -> "There is nothing at this address.";
			case 500 -> "Reelay hit an unexpected error. Nothing was changed; try again, and report it if it persists.";
			default -> "The request could not be answered.";
		};
	}

	private static @Nullable String text(@Nullable Map<?, ?> problem, String member) {
		Object value = (problem != null) ? problem.get(member) : null;
		return (value instanceof String text) ? text : null;
	}

	/** The response, with every problem written to it replaced by the page. */
	private final class Pages extends ServerHttpResponseDecorator {

		private final ServerWebExchange exchange;

		Pages(ServerWebExchange exchange) {
			super(exchange.getResponse());
			this.exchange = exchange;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			HttpStatusCode status = getStatusCode();
			MediaType type = getHeaders().getContentType();
			if (status == null || !hasPage(status) || type == null
					|| !MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type)) {
				return super.writeWith(body);
			}
			return DataBufferUtils.join(Flux.from(body), MAX_PROBLEM)
				.map(this::problem)
				.onErrorResume((ex) -> {
					log.debug("error answer not read as a problem: {}", ex.toString());
					return Mono.just(Map.of());
				})
				.defaultIfEmpty(Map.of())
				.flatMap((problem) -> {
					byte[] page = render(status.value(), problem,
							this.exchange.getRequest().getPath().pathWithinApplication().value())
						.getBytes(StandardCharsets.UTF_8);
					ServerHttpResponse response = getDelegate();
					response.getHeaders().setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
					response.getHeaders().setContentLength(page.length);
					return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(page)));
				});
		}

		private Map<?, ?> problem(DataBuffer joined) {
			try {
				return BrowserErrorPages.this.json.readValue(joined.asInputStream(true), Map.class);
			}
			catch (JacksonException ex) {
				return Map.of();
			}
		}

	}

}
