package dev.reelay.storage;

import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * Files named by job id in one directory (the default store). Writes go to a temporary file in the same directory
 * that is moved into place only when complete, so a crash mid-download leaves no half video behind.
 */
@Component
@ConditionalOnProperty(name = "reelay.storage.type", havingValue = "filesystem", matchIfMissing = true)
class FileSystemVideoStorage implements VideoStorage {

	private static final int BUFFER = 64 * 1024;

	private final Path directory;

	FileSystemVideoStorage(StorageSettings settings) {
		this.directory = settings.directory().toAbsolutePath().normalize();
		Spool.deleteStale(this.directory, settings.stalePartAge(), Instant.now());
	}

	@Override
	public Mono<StoredFile> store(String name, String contentType, Flux<DataBuffer> body) {
		String fileName = FileNames.of(name, contentType);
		Path target = this.directory.resolve(fileName);
		return Spool.write(body, this.directory, name).flatMap((spool) -> Mono.fromCallable(() -> {
			Files.move(spool.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return new StoredFile(fileName, contentType, spool.length(), spool.sha256());
		}).subscribeOn(Schedulers.boundedElastic()).onErrorResume((error) -> spool.delete().then(Mono.error(error))));
	}

	@Override
	public Mono<Flux<DataBuffer>> read(String location, long first, long last) {
		Path file = this.directory.resolve(location).normalize();
		if (!file.startsWith(this.directory)) {
			return Mono.error(new IllegalArgumentException("Location outside storage: " + location));
		}
		return Mono.fromCallable(() -> Files.isRegularFile(file))
			.subscribeOn(Schedulers.boundedElastic())
			.filter(Boolean::booleanValue)
			.map((exists) -> DataBufferUtils.takeUntilByteCount(
					DataBufferUtils.readAsynchronousFileChannel(
							() -> AsynchronousFileChannel.open(file, StandardOpenOption.READ), first,
							DefaultDataBufferFactory.sharedInstance, BUFFER),
					last - first + 1));
	}

	@Override
	public Mono<Void> delete(String location) {
		Path file = this.directory.resolve(location).normalize();
		if (!file.startsWith(this.directory)) {
			return Mono.error(new IllegalArgumentException("Location outside storage: " + location));
		}
		return Mono.fromCallable(() -> Files.deleteIfExists(file)).subscribeOn(Schedulers.boundedElastic()).then();
	}

}
