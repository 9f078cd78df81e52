package dev.reelay.tenant;

import java.net.URI;

import reactor.core.publisher.Flux;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/** An event stream opened with an API key, as a client of the API opens it. */
final class KeyedEvents {

	private KeyedEvents() {
	}

	/** The stream at {@code uri}, sent as given (an odd spelling of the path reaches the server as it is). */
	static Flux<ServerSentEvent<String>> open(URI uri, String key) {
		return WebClient.create()
			.get()
			.uri(uri)
			.header("Authorization", "Bearer " + key)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
			});
	}

}
