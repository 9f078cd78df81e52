package dev.reelay.provider;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;

/** A download in flight: the media type the provider declared and the body, not yet read. */
public record RemoteContent(String contentType, @Nullable Long length, Flux<DataBuffer> body) {
}
