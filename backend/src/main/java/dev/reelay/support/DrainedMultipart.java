package dev.reelay.support;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.multipart.Part;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;

/**
 * Reads a multipart form so that a refusal is answered only once the client has sent its whole body. When Spring's
 * reader gives up half-way (a field over its limit, too many parts), it cancels the body; the server then answered
 * while the client was still sending, closed the connection with bytes unread, and the client saw "connection
 * reset" instead of the 413 or 400 (Reactor Netty's discard of the rest also trips over a released buffer under
 * load). Here a cancel turns into reading the rest and dropping it, up to {@code maxDrain} bytes, and the error
 * waits for that: the answer goes out on a connection with nothing left to read. A body larger than that is cut
 * off as before. The reader works on heap copies of the body (forms are small: the image is capped), see
 * {@code Bridge#onNext}.
 */
@Component
public class DrainedMultipart {

	/** Beyond this much more, a client that keeps sending is cut off rather than read. */
	static final long MAX_DRAIN = 64L * 1024 * 1024;

	private static final ResolvableType FORM = ResolvableType.forClassWithGenerics(MultiValueMap.class, String.class,
			Part.class);

	private final HttpMessageReader<MultiValueMap<String, Part>> reader;

	/** The application's configured reader (its multipart limits); a context without a web server has none. */
	@SuppressWarnings("unchecked")
	DrainedMultipart(ObjectProvider<ServerCodecConfigurer> codecs) {
		this.reader = (HttpMessageReader<MultiValueMap<String, Part>>) codecs.getIfAvailable(ServerCodecConfigurer::create)
			.getReaders()
			.stream()
			.filter((candidate) -> candidate.canRead(FORM, MediaType.MULTIPART_FORM_DATA))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No multipart reader configured"));
	}

	/** The form's parts, as {@link ServerWebExchange#getMultipartData()} reads them. */
	public Mono<MultiValueMap<String, Part>> read(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Sinks.Empty<Void> drained = Sinks.empty();
			DrainingBody body = new DrainingBody(exchange.getRequest().getBody(), MAX_DRAIN, drained);
			ServerHttpRequestDecorator request = new ServerHttpRequestDecorator(exchange.getRequest()) {
				@Override
				public Flux<DataBuffer> getBody() {
					return body;
				}
			};
			return this.reader.readMono(FORM, request, java.util.Map.of())
				.onErrorResume((error) -> (body.subscribed() ? drained.asMono().onErrorComplete() : dropAll(exchange))
					.then(Mono.error(error)));
		});
	}

	/** A refusal before the reader read anything (no boundary): the whole body, read and dropped, up to the cap. */
	private static Mono<Void> dropAll(ServerWebExchange exchange) {
		AtomicLong dropped = new AtomicLong();
		return exchange.getRequest()
			.getBody()
			.map((buffer) -> {
				long total = dropped.addAndGet(buffer.readableByteCount());
				DataBufferUtils.release(buffer);
				return total;
			})
			.takeUntil((total) -> total > MAX_DRAIN)
			.onErrorComplete()
			.then();
	}

	/** The request body, where a cancel from the reader reads the rest and releases it instead. */
	static final class DrainingBody extends Flux<DataBuffer> {

		boolean subscribed() {
			return this.subscribed;
		}

		private final Flux<DataBuffer> source;

		private final long maxDrain;

		private final Sinks.Empty<Void> drained;

		private volatile boolean subscribed;

		DrainingBody(Flux<DataBuffer> source, long maxDrain, Sinks.Empty<Void> drained) {
			this.source = source;
			this.maxDrain = maxDrain;
			this.drained = drained;
		}

		@Override
		public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
			this.subscribed = true;
			this.source.subscribe(new Bridge(actual, this.maxDrain, this.drained));
		}

	}

	private static final class Bridge implements CoreSubscriber<DataBuffer>, Subscription {

		private final CoreSubscriber<? super DataBuffer> actual;

		private final long maxDrain;

		private final Sinks.Empty<Void> drained;

		private final AtomicBoolean draining = new AtomicBoolean();

		private final AtomicLong dropped = new AtomicLong();

		private volatile boolean ended;

		private Subscription upstream;

		Bridge(CoreSubscriber<? super DataBuffer> actual, long maxDrain, Sinks.Empty<Void> drained) {
			this.actual = actual;
			this.maxDrain = maxDrain;
			this.drained = drained;
		}

		@Override
		public Context currentContext() {
			return this.actual.currentContext();
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.upstream = subscription;
			this.actual.onSubscribe(this);
		}

		@Override
		public void onNext(DataBuffer buffer) {
			if (!this.draining.get()) {
				// A heap copy, the server's pooled buffer released at once: when the reader gives up mid-part it can
				// release a buffer twice, which on a pooled one takes the server's own reference and closes the
				// connection with an IllegalReferenceCountException; on a copy it is harmless.
				DataBuffer copy = DefaultDataBufferFactory.sharedInstance.allocateBuffer(buffer.readableByteCount());
				copy.write(buffer);
				DataBufferUtils.release(buffer);
				this.actual.onNext(copy);
				return;
			}
			long total = this.dropped.addAndGet(buffer.readableByteCount());
			DataBufferUtils.release(buffer);
			if (total > this.maxDrain) {
				this.upstream.cancel();
				this.drained.tryEmitEmpty();
			}
		}

		@Override
		public void onError(Throwable error) {
			this.ended = true;
			this.drained.tryEmitEmpty();
			if (!this.draining.get()) {
				this.actual.onError(error);
			}
		}

		@Override
		public void onComplete() {
			this.ended = true;
			this.drained.tryEmitEmpty();
			if (!this.draining.get()) {
				this.actual.onComplete();
			}
		}

		@Override
		public void request(long n) {
			this.upstream.request(n);
		}

		@Override
		public void cancel() {
			if (this.draining.compareAndSet(false, true)) {
				if (this.ended) {
					this.drained.tryEmitEmpty();
					return;
				}
				this.upstream.request(Long.MAX_VALUE);
			}
		}

	}

}
