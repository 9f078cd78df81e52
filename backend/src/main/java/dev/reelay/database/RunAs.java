package dev.reelay.database;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Who the PostgreSQL processes run as. PostgreSQL refuses to run as root, so a JVM running as root (containers, CI
 * machines) hands the server to an unprivileged user; otherwise the server simply runs as the JVM's user.
 */
record RunAs(@Nullable String user, int uid, int gid, List<String> prefix) {

	static final String PROPERTY = "reelay.database.embedded.run-as";

	private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

	static RunAs resolve(String user) {
		if (effectiveUid() != 0) {
			return new RunAs(null, -1, -1, List.of());
		}
		int uid = lookUp(user, "-u");
		int gid = lookUp(user, "-g");
		if (uid == 0) {
			throw new IllegalStateException(
					"PostgreSQL cannot run as root; set " + PROPERTY + " to an unprivileged user (it is '" + user + "')");
		}
		List<String> prefix;
		String setpriv = executable("setpriv");
		String runuser = executable("runuser");
		if (setpriv != null) {
			prefix = List.of(setpriv, "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
		}
		else if (runuser != null) {
			prefix = List.of(runuser, "-u", user, "--");
		}
		else {
			throw new IllegalStateException("The JVM runs as root and PostgreSQL must not; neither setpriv nor runuser "
					+ "is installed to switch to '" + user + "'. Run Reelay as an unprivileged user or set spring.r2dbc.url");
		}
		return new RunAs(user, uid, gid, prefix);
	}

	boolean switchesUser() {
		return this.user != null;
	}

	List<String> command(Path executable, String... arguments) {
		List<String> command = new ArrayList<>(this.prefix);
		command.add(executable.toString());
		command.addAll(Arrays.asList(arguments));
		return command;
	}

	/** Gives a file, or a whole tree when {@code recursive}, to the server's user. */
	void own(Path path, boolean recursive) {
		if (!switchesUser()) {
			return;
		}
		try {
			if (!recursive) {
				chown(path);
				return;
			}
			try (Stream<Path> paths = Files.walk(path)) {
				for (Path each : (Iterable<Path>) paths::iterator) {
					chown(each);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not give " + path + " to user " + this.user, ex);
		}
	}

	private void chown(Path path) throws IOException {
		Files.setAttribute(path, "unix:uid", this.uid, LinkOption.NOFOLLOW_LINKS);
		Files.setAttribute(path, "unix:gid", this.gid, LinkOption.NOFOLLOW_LINKS);
	}

	/**
	 * Fails unless the server's user can enter {@code directory} and every directory above it: a data directory
	 * under {@code /root} or a private temp dir would otherwise fail later with a much vaguer message.
	 */
	void requireTraversable(Path directory, String property) {
		if (!switchesUser()) {
			return;
		}
		for (Path path = directory.toAbsolutePath(); path != null; path = path.getParent()) {
			if (!Files.exists(path)) {
				// Created later with the JVM's umask; what matters is whether the server's user can get this far.
				continue;
			}
			try {
				int owner = (Integer) Files.getAttribute(path, "unix:uid");
				int group = (Integer) Files.getAttribute(path, "unix:gid");
				int mode = (Integer) Files.getAttribute(path, "unix:mode");
				int bit = (owner == this.uid) ? 0100 : (group == this.gid) ? 0010 : 0001;
				if ((mode & bit) == 0) {
					throw new IllegalStateException(String.format(
							"PostgreSQL runs as user '%s' (the JVM runs as root), which cannot enter %s (mode %o, owner uid %d). "
									+ "Set %s to a directory that user can reach, make %s traversable (chmod o+x), "
									+ "or choose another user with %s",
							this.user, path, mode & 07777, owner, property, path, PROPERTY));
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not inspect " + path, ex);
			}
		}
	}

	static int effectiveUid() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("Uid:")) {
					// Uid: real effective saved filesystem
					return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux; ask id below.
		}
		Commands.Result result = Commands.run(List.of("id", "-u"), LOOKUP_TIMEOUT);
		return result.succeeded() ? Integer.parseInt(result.output().trim()) : -1;
	}

	private static int lookUp(String user, String option) {
		if (user.matches("\\d+")) {
			return Integer.parseInt(user);
		}
		// id asks NSS, so users from LDAP or systemd-userdb resolve as well as those in /etc/passwd.
		Commands.Result result = Commands.run(List.of("id", option, user), LOOKUP_TIMEOUT);
		if (!result.succeeded()) {
			throw new IllegalStateException("PostgreSQL cannot run as root and user '" + user + "' (" + PROPERTY
					+ ") does not exist: " + result.output());
		}
		return Integer.parseInt(result.output().trim());
	}

	private static @Nullable String executable(String name) {
		String path = System.getenv("PATH");
		Stream<String> directories = Stream.concat(
				(path != null) ? Arrays.stream(path.split(File.pathSeparator)) : Stream.empty(),
				Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
		return directories.filter((directory) -> !directory.isEmpty())
			.map((directory) -> Path.of(directory, name))
			.filter(Files::isExecutable)
			.map(Path::toString)
			.findFirst()
			.orElse(null);
	}

}
