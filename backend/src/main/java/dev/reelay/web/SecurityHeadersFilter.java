package dev.reelay.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.web.server.header.CompositeServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ContentSecurityPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.HttpHeaderWriterWebFilter;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.header.XContentTypeOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Security headers on every response, the page's and the API's, refusals included (first in the chain, written just
 * before the response commits): Spring Security's reactive header writers in a plain filter, without Spring
 * Security's auto-configuration.
 * <ul>
 * <li>{@code Content-Security-Policy}: scripts, styles, images, media and connections from this origin only; the page
 * has no inline script or style (its early theme script is a file), so an injected one never runs. {@code blob:}
 * for the preview of an image being uploaded, {@code data:} for the images of the API docs' stylesheet. The API docs
 * (Swagger UI, under {@code /swagger-ui/}) also need {@code style-src 'unsafe-inline'}: the bundle inserts style
 * elements; styles cannot run script, and the page's own policy stays without it.
 * {@code frame-ancestors 'none'} and {@code X-Frame-Options: DENY}: no other site can frame it (clickjacking).</li>
 * <li>{@code X-Content-Type-Options: nosniff}: a video or JSON answer is never run as a script or page.</li>
 * <li>{@code Referrer-Policy: same-origin}: job ids in the page's addresses never leave for other sites.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeadersFilter implements WebFilter {

	static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
			+ "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
			+ "form-action 'self'; frame-ancestors 'none'";

	static final String DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

	private static final String DOCS_PATH = "/swagger-ui/";

	private final WebFilter headers;

	private final WebFilter docsHeaders;

	SecurityHeadersFilter() {
		this.headers = headers(POLICY);
		this.docsHeaders = headers(DOCS_POLICY);
	}

	private static WebFilter headers(String policy) {
		ContentSecurityPolicyServerHttpHeadersWriter csp = new ContentSecurityPolicyServerHttpHeadersWriter();
		csp.setPolicyDirectives(policy);
		ReferrerPolicyServerHttpHeadersWriter referrer = new ReferrerPolicyServerHttpHeadersWriter();
		referrer.setPolicy(ReferrerPolicy.SAME_ORIGIN);
		return new HttpHeaderWriterWebFilter(new CompositeServerHttpHeadersWriter(csp,
				new XContentTypeOptionsServerHttpHeadersWriter(), new XFrameOptionsServerHttpHeadersWriter(), referrer));
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		boolean docs = exchange.getRequest().getPath().pathWithinApplication().value().startsWith(DOCS_PATH);
		return (docs ? this.docsHeaders : this.headers).filter(exchange, chain);
	}

}
