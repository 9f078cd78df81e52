package dev.reelay.openai;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Test only: records every answer under {@code /v1} as it leaves the server (outermost filter, so after the
 * OpenAI error rewrite), whoever made the request (the node SDK or the test), for the OpenAPI check. JSON bodies
 * are kept whole; binary ones only by type and size.
 */
class FacadeResponses implements WebFilter, Ordered {

	record Recorded(String method, String path, int status, @Nullable String contentType, byte @Nullable [] json,
			long bytes) {
	}

	final List<Recorded> recorded = new CopyOnWriteArrayList<>();

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (!path.startsWith("/v1/")) {
			return chain.filter(exchange);
		}
		String method = exchange.getRequest().getMethod().name();
		ServerHttpResponse response = exchange.getResponse();
		ServerHttpResponseDecorator recording = new ServerHttpResponseDecorator(response) {

			@Override
			public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
				ByteArrayOutputStream copy = new ByteArrayOutputStream();
				long[] size = { 0 };
				MediaType type = getHeaders().getContentType();
				boolean json = type != null && type.getSubtype().contains("json");
				Flux<? extends DataBuffer> seen = Flux.from(body).doOnNext((buffer) -> {
					size[0] += buffer.readableByteCount();
					if (json) {
						byte[] bytes = new byte[buffer.readableByteCount()];
						buffer.toByteBuffer(0, java.nio.ByteBuffer.wrap(bytes), 0, bytes.length);
						copy.writeBytes(bytes);
					}
				});
				return super.writeWith(seen).doOnSuccess((done) -> FacadeResponses.this.recorded.add(new Recorded(
						method, path, (getStatusCode() != null) ? getStatusCode().value() : 200,
						(type != null) ? type.toString() : null, json ? copy.toByteArray() : null, size[0])));
			}

		};
		return chain.filter(exchange.mutate().response(recording).build());
	}

}
