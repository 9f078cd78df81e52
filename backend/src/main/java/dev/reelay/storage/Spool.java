package dev.reelay.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * A download written to a local file while its SHA-256 is computed, so memory holds one buffer at a time whatever
 * the size. The file is deleted when anything fails.
 */
record Spool(Path file, long length, String sha256) {

	static Mono<Spool> write(Flux<DataBuffer> body, Path directory, String prefix) {
		return Mono.fromCallable(() -> {
			Files.createDirectories(directory);
			return Files.createTempFile(directory, prefix, ".part");
		}).subscribeOn(Schedulers.boundedElastic()).flatMap((part) -> {
			MessageDigest sha256 = newDigest();
			Flux<DataBuffer> hashed = body.doOnNext((buffer) -> {
				try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
					chunks.forEachRemaining(sha256::update);
				}
			});
			return DataBufferUtils.write(hashed, part)
				.then(Mono.fromCallable(() -> new Spool(part, Files.size(part), HexFormat.of().formatHex(sha256.digest())))
					.subscribeOn(Schedulers.boundedElastic()))
				.onErrorResume((error) -> delete(part).then(Mono.error(error)))
				.doOnCancel(() -> delete(part).subscribe());
		});
	}

	/** Removes the file (whatever became of it), off the event loop. */
	Mono<Void> delete() {
		return delete(this.file);
	}

	private static Mono<Void> delete(Path file) {
		return Mono.<Void>fromRunnable(() -> {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	private static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
