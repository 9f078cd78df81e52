package dev.reelay.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;

/**
 * Videos as files named by job id. Writes go to a temporary file that is moved into place only when complete, so
 * a crash mid-download leaves no half video behind.
 */
@Component
class FileSystemVideoStorage implements VideoStorage {

	private final Path directory;

	FileSystemVideoStorage(StorageSettings settings) {
		this.directory = settings.directory().toAbsolutePath().normalize();
	}

	@Override
	public Mono<StoredVideo> store(UUID jobId, String contentType, Flux<DataBuffer> body) {
		String name = jobId + extensionFor(contentType);
		Path target = this.directory.resolve(name);
		return Mono.fromCallable(() -> {
			Files.createDirectories(this.directory);
			return Files.createTempFile(this.directory, jobId.toString(), ".part");
		}).subscribeOn(Schedulers.boundedElastic()).flatMap((part) -> {
			MessageDigest sha256 = sha256();
			Flux<DataBuffer> hashed = body.doOnNext((buffer) -> {
				try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
					chunks.forEachRemaining(sha256::update);
				}
			});
			return DataBufferUtils.write(hashed, part)
				.then(Mono.fromCallable(() -> {
					long length = Files.size(part);
					Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
					return new StoredVideo(name, contentType, length, HexFormat.of().formatHex(sha256.digest()));
				}).subscribeOn(Schedulers.boundedElastic()))
				.onErrorResume((error) -> Mono.fromRunnable(() -> deleteQuietly(part))
					.subscribeOn(Schedulers.boundedElastic())
					.then(Mono.error(error)));
		});
	}

	@Override
	public Mono<Resource> open(String location) {
		Path file = this.directory.resolve(location).normalize();
		if (!file.startsWith(this.directory)) {
			return Mono.error(new IllegalArgumentException("Location outside storage: " + location));
		}
		return Mono.fromCallable(() -> (Resource) new FileSystemResource(file))
			.filter(Resource::exists)
			.subscribeOn(Schedulers.boundedElastic());
	}

	private static String extensionFor(String contentType) {
		return contentType.startsWith("video/mp4") ? ".mp4" : (contentType.startsWith("video/webm") ? ".webm" : ".bin");
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void deleteQuietly(Path part) {
		try {
			Files.deleteIfExists(part);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
