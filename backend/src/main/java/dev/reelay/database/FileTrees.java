package dev.reelay.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small file helpers the JDK lacks. */
final class FileTrees {

	private FileTrees() {
	}

	/** Deletes a tree without following symbolic links; best effort, used for temporary directories. */
	static void deleteQuietly(Path root) {
		if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> {
				try {
					Files.deleteIfExists(path);
				}
				catch (IOException ex) {
					// Leftovers in a temporary directory are harmless.
				}
			});
		}
		catch (IOException | UncheckedIOException ex) {
			// Same as above.
		}
	}

	/** Writes a file that only the JVM's user can read, replacing any previous content in one step. */
	static void writePrivate(Path file, String content) {
		try {
			Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(temp, content);
			Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write " + file, ex);
		}
	}

	/**
	 * The last {@code maxLines} lines written to a possibly large text file after {@code offset}, or a note when it
	 * cannot be read.
	 */
	static String tail(Path file, long offset, int maxLines) {
		try (SeekableByteChannel channel = Files.newByteChannel(file)) {
			long size = channel.size();
			int length = (int) Math.min(Math.max(0, size - offset), 16 * 1024);
			ByteBuffer buffer = ByteBuffer.allocate(length);
			channel.position(size - length);
			while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
				// A channel may return fewer bytes than asked for.
			}
			String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
			String[] lines = text.split("\n");
			int from = Math.max(0, lines.length - maxLines);
			return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
		}
		catch (IOException ex) {
			return "(no log at " + file + ": " + ex.getMessage() + ")";
		}
	}

}
