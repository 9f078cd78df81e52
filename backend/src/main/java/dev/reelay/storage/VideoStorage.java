package dev.reelay.storage;

import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBuffer;

/** Where finished videos are kept: the filesystem by default; an object store can take its place. */
public interface VideoStorage {

	/** Streams {@code body} into storage; the returned video is complete and checksummed, or nothing is kept. */
	Mono<StoredVideo> store(UUID jobId, String contentType, Flux<DataBuffer> body);

	/** The stored bytes, ready to serve (range requests included). */
	Mono<Resource> open(String location);

}
