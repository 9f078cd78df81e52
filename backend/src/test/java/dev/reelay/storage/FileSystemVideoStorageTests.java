package dev.reelay.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

	@Test
	void neverReadsOutsideItsDirectory() {
		assertThatThrownBy(() -> storage().read("../etc/passwd", 0, 9).block())
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(holdsAnything("..")).isFalse();
	}

}
