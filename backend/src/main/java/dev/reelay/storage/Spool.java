package dev.reelay.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

	private static final Logger log = LoggerFactory.getLogger(Spool.class);

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

	/**
	 * Deletes the {@code .part} files in {@code directory} last written before {@code now - olderThan}: downloads a
	 * crash (kill -9, a lost machine) cut off, which nothing else would ever remove. Younger ones may be another
	 * instance's download in progress and stay. Runs once at start, before any download; answers how many went.
	 */
	static int deleteStale(Path directory, Duration olderThan, Instant now) {
		if (!Files.isDirectory(directory)) {
			return 0;
		}
		FileTime before = FileTime.from(now.minus(olderThan));
		int deleted = 0;
		try (DirectoryStream<Path> parts = Files.newDirectoryStream(directory, "*.part")) {
			for (Path part : parts) {
				try {
					if (Files.isRegularFile(part) && Files.getLastModifiedTime(part).compareTo(before) < 0
							&& Files.deleteIfExists(part)) {
						deleted++;
					}
				}
				catch (IOException ex) {
					log.warn("could not delete the stale partial download {}: {}", part, ex.toString());
				}
			}
		}
		catch (IOException ex) {
			log.warn("could not look for stale partial downloads in {}: {}", directory, ex.toString());
		}
		if (deleted > 0) {
			log.info("deleted {} partial downloads older than {} from {}", deleted, olderThan, directory);
		}
		return deleted;
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
