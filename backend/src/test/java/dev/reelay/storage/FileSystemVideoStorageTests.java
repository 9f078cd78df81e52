package dev.reelay.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemVideoStorageTests extends VideoStorageContract {

	@TempDir
	Path directory;

	private FileSystemVideoStorage storage;

	@Override
	VideoStorage storage() {
		if (this.storage == null) {
			this.storage = new FileSystemVideoStorage(new StorageSettings(StorageSettings.Type.FILESYSTEM, this.directory,
					new StorageSettings.S3(null, "us-east-1", null, false, "", null, null), java.time.Duration.ofHours(1)));
		}
		return this.storage;
	}

	@Override
	boolean holdsAnything(String fileName) {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.anyMatch((file) -> file.getFileName().toString().startsWith(fileName));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A kill mid-download leaves a {@code .part} file that nothing would ever remove: a store that starts deletes
	 * those older than {@code stale-part-age}, and leaves young ones (another instance's download in progress) and
	 * finished files alone.
	 */
	@Test
	void startingDeletesPartialDownloadsOlderThanTheSettingOnly() throws IOException {
		Path stale = Files.write(this.directory.resolve("job-1234567.part"), new byte[] { 1, 2, 3 });
		Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofMinutes(31))));
		Path young = Files.write(this.directory.resolve("job-7654321.part"), new byte[] { 4 });
		Files.setLastModifiedTime(young, FileTime.from(Instant.now().minus(Duration.ofMinutes(29))));
		Path finished = Files.write(this.directory.resolve("job.mp4"), new byte[] { 5 });
		Files.setLastModifiedTime(finished, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

		new FileSystemVideoStorage(new StorageSettings(StorageSettings.Type.FILESYSTEM, this.directory,
				new StorageSettings.S3(null, "us-east-1", null, false, "", null, null), Duration.ofMinutes(30)));

		assertThat(stale).doesNotExist();
		assertThat(young).exists();
		assertThat(finished).exists();
	}

	@Test
	void neverReadsOutsideItsDirectory() {
		assertThatThrownBy(() -> storage().read("../etc/passwd", 0, 9).block())
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(holdsAnything("..")).isFalse();
	}

}
