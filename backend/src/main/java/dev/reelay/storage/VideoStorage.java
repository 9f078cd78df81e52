package dev.reelay.storage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Where finished videos and their thumbnails are kept: the filesystem by default, an S3-compatible object store
 * as an option ({@code reelay.storage.type}). Both stream; neither holds a whole video in memory.
 */
public interface VideoStorage {

	/**
	 * Streams {@code body} into storage as {@code name} plus an extension for its type. The returned file is
	 * complete and checksummed, or nothing is kept.
	 */
	Mono<StoredFile> store(String name, String contentType, Flux<DataBuffer> body);

	/**
	 * Bytes {@code first} to {@code last} (inclusive) of a stored file, for whole downloads and HTTP Range requests
	 * alike; empty when the file is missing. The caller must consume or cancel the body.
	 */
	Mono<Flux<DataBuffer>> read(String location, long first, long last);

	/** Removes a stored file; a file already missing is not an error. */
	Mono<Void> delete(String location);

}
