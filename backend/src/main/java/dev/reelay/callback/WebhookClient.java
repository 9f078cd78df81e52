package dev.reelay.callback;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Sends one signed webhook and reports what happened. Connections go only to addresses {@link GuardedResolverGroup}
 * checked; redirects are not followed (a 3xx is a failed attempt); at most {@code response-excerpt} bytes of the
 * answer are read; connect and response timeouts bound every attempt. Error texts never carry the URL.
 */
@Component
class WebhookClient implements DisposableBean {

	private static final int MAX_ERROR = 300;

	private final WebClient client;

	private final CallbackSettings settings;

	private final ConnectionProvider connections;

	WebhookClient(WebClient.Builder builder, CallbackSettings settings, TargetGuard guard) {
		this.settings = settings;
		// One connection per concurrent attempt at most; an attempt waiting for one counts against its timeout.
		this.connections = ConnectionProvider.builder("reelay-webhooks")
			.maxConnections(settings.concurrency())
			.pendingAcquireMaxCount(settings.concurrency())
			.pendingAcquireTimeout(settings.connectTimeout())
			.build();
		HttpClient http = HttpClient.create(this.connections)
			.resolver(new GuardedResolverGroup(guard, settings.connectTimeout()))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
			.responseTimeout(settings.responseTimeout())
			.followRedirect(false);
		this.client = builder.clone().clientConnector(new ReactorClientHttpConnector(http)).build();
	}

	Mono<Attempt> send(URI target, String webhookId, byte[] body, List<String> secrets) {
		return Mono.defer(() -> {
			Instant at = Instant.now();
			long started = System.nanoTime();
			long timestamp = at.getEpochSecond();
			return this.client.post()
				.uri(target)
				.contentType(MediaType.APPLICATION_JSON)
				.header("webhook-id", webhookId)
				.header("webhook-timestamp", Long.toString(timestamp))
				.header("webhook-signature", WebhookSigner.signature(secrets, webhookId, timestamp, body))
				.header("User-Agent", "Reelay-Webhooks/1")
				.bodyValue(body)
				.exchangeToMono((response) -> excerpt(response)
					.map((text) -> new Attempt(at, response.statusCode().value(), millis(started), null, text)))
				.timeout(this.settings.connectTimeout().plus(this.settings.responseTimeout()).plusSeconds(1))
				.onErrorResume((error) -> Mono.just(Attempt.failed(at, millis(started), describe(error))));
		});
	}

	@Override
	public void destroy() {
		this.connections.dispose();
	}

	/** The start of the answer; reading stops (and the connection is dropped) after the configured bytes. */
	private Mono<String> excerpt(ClientResponse response) {
		long limit = this.settings.responseExcerpt().toBytes();
		return DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(response.bodyToFlux(DataBuffer.class), limit))
			.map((buffer) -> {
				byte[] bytes = new byte[(int) Math.min(buffer.readableByteCount(), limit)];
				buffer.read(bytes);
				DataBufferUtils.release(buffer);
				return new String(bytes, StandardCharsets.UTF_8);
			})
			.defaultIfEmpty("");
	}

	private static long millis(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
	}

	/** The innermost cause, which names the host at most (wrapping exceptions repeat the whole URL). */
	private String describe(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String text;
		if (root instanceof RefusedTargetException refused) {
			text = "refused: " + refused.getMessage();
		}
		else if (root instanceof TimeoutException || root instanceof ReadTimeoutException) {
			text = "no answer within " + this.settings.responseTimeout().toMillis() + " ms";
		}
		else {
			text = root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : "");
		}
		return (text.length() > MAX_ERROR) ? text.substring(0, MAX_ERROR) : text;
	}

}
