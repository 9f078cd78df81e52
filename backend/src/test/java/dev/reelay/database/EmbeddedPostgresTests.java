package dev.reelay.database;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

class EmbeddedPostgresTests {

	private static final Log log = LogFactory.getLog(EmbeddedPostgresTests.class);

	@TempDir
	Path temp;

	@Test
	void startsAndRunsTheServerUnprivilegedWhenTheJvmIsRoot() throws Exception {
		EmbeddedPostgres server = EmbeddedPostgres.shared(settings(EmbeddedPostgresSettings.TEMPORARY), log);

		assertThat(queryInt(server.connection(), "select 1")).isEqualTo(1);
		long pid = EmbeddedPostgres.postmasterPid(server.dataDirectory());
		assertThat(ProcessHandle.of(pid)).hasValueSatisfying((process) -> assertThat(process.isAlive()).isTrue());
		if (RunAs.effectiveUid() == 0) {
			assertThat(uidOf(pid)).isNotZero();
		}
	}

	@Test
	void keepsDataAndPasswordAcrossRestarts() throws Exception {
		EmbeddedPostgresSettings settings = settings(traversable(this.temp).resolve("pg").toString());
		EmbeddedPostgres first = new EmbeddedPostgres(settings, log);
		PostgresConnection before = first.start();
		try {
			execute(before, "create table survivors (name text)", "insert into survivors values ('kept')");
		}
		finally {
			first.stop();
		}

		EmbeddedPostgres second = new EmbeddedPostgres(settings, log);
		PostgresConnection after = second.start();
		try {
			assertThat(after.password()).isEqualTo(before.password());
			assertThat(queryInt(after, "select count(*) from survivors where name = 'kept'")).isEqualTo(1);
		}
		finally {
			second.stop();
		}
	}

	@Test
	void aServerLeftRunningByACrashedJvmDoesNotBlockTheNextStart() throws Exception {
		Path dataDir = traversable(this.temp).resolve("pg");
		long orphan = startInCrashingJvm(dataDir.toString()).pid();
		assertThat(ProcessHandle.of(orphan)).as("server outlives its JVM").isPresent();

		EmbeddedPostgres server = new EmbeddedPostgres(settings(dataDir.toString()), log);
		try {
			assertThat(queryInt(server.start(), "select 1")).isEqualTo(1);
			// Stopped, though the OS may take a moment to reap it.
			ProcessHandle.of(orphan).ifPresent((process) -> process.onExit().orTimeout(10, TimeUnit.SECONDS).join());
			assertThat(EmbeddedPostgres.postmasterPid(dataDir)).isNotEqualTo(orphan);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void aKilledServerDoesNotBlockTheNextStart() throws Exception {
		EmbeddedPostgresSettings settings = settings(traversable(this.temp).resolve("pg").toString());
		EmbeddedPostgres crashed = new EmbeddedPostgres(settings, log);
		crashed.start();
		long pid = EmbeddedPostgres.postmasterPid(crashed.dataDirectory());
		ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
		postmaster.destroyForcibly();
		postmaster.onExit().get(10, TimeUnit.SECONDS);
		// Fails to stop the dead server, but releases the data directory as a crashed JVM would.
		crashed.stop();
		assertThat(settingsDataDir(settings).resolve("postmaster.pid")).exists();

		EmbeddedPostgres server = new EmbeddedPostgres(settings, log);
		try {
			assertThat(queryInt(server.start(), "select 1")).isEqualTo(1);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void aTemporaryServerAbandonedByAKilledJvmIsRemoved() throws Exception {
		Orphan orphan = startInCrashingJvm(EmbeddedPostgresSettings.TEMPORARY);
		Path abandoned = orphan.dataDir().getParent();
		// Directories younger than a minute may belong to a JVM that is still starting.
		Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));

		EmbeddedPostgres server = new EmbeddedPostgres(settings(EmbeddedPostgresSettings.TEMPORARY), log);
		try {
			server.start();
			assertThat(abandoned).doesNotExist();
			ProcessHandle.of(orphan.pid()).ifPresent((process) -> process.onExit().orTimeout(10, TimeUnit.SECONDS).join());
		}
		finally {
			server.stop();
		}
	}

	/**
	 * On Linux, closing any channel to a locked file drops the process's lock on it. A sweep that opened this JVM's
	 * own lock file would leave its running server looking abandoned to every other JVM sweeping the same tmpdir.
	 */
	@Test
	void aSweepKeepsTheLocksOfThisJvmsOwnServers() throws Exception {
		EmbeddedPostgres first = new EmbeddedPostgres(settings(EmbeddedPostgresSettings.TEMPORARY), log);
		EmbeddedPostgres second = new EmbeddedPostgres(settings(EmbeddedPostgresSettings.TEMPORARY), log);
		try {
			first.start();
			// The first server's own root, found from its data directory: other JVMs on this machine (parallel
			// builds) create temporary roots at the same time, so "the root that appeared" may be theirs.
			Path root = first.dataDirectory();
			while (!root.getFileName().toString().startsWith("reelay-postgres-data-")) {
				root = root.getParent();
			}
			Path lockFile = root.resolve("data.lock");
			// Old enough to be swept, were its lock free.
			Files.setLastModifiedTime(lockFile.getParent(), FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
			assertThat(heldByThisProcess(lockFile)).as("locked while running").isTrue();
			second.start();
			assertThat(heldByThisProcess(lockFile)).as("still locked after another server's start swept").isTrue();
			assertThat(queryInt(first.start(), "select 1")).isEqualTo(1);
		}
		finally {
			second.stop();
			first.stop();
		}
	}

	/** Whether the kernel lists a POSIX lock of this process on the file ({@code /proc/locks}: pid, dev:inode). */
	private static boolean heldByThisProcess(Path file) throws IOException {
		long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
		String pid = String.valueOf(ProcessHandle.current().pid());
		return Files.readAllLines(Path.of("/proc/locks")).stream().map((line) -> line.trim().split("\\s+")).anyMatch(
				(fields) -> fields.length > 5 && fields[1].equals("POSIX") && fields[4].equals(pid)
						&& fields[5].endsWith(":" + inode));
	}

	@Test
	void refusesADataDirectoryTheServerUserCannotReach() {
		assumeThat(RunAs.effectiveUid()).as("only root hands the server to another user").isZero();
		// @TempDir is private to root (mode 700).
		EmbeddedPostgres server = new EmbeddedPostgres(settings(this.temp.resolve("pg").toString()), log);

		assertThatIllegalStateException().isThrownBy(server::start)
			.withMessageContaining(this.temp.toString())
			.withMessageContaining("reelay.database.embedded.data-dir");
	}

	private static EmbeddedPostgresSettings settings(String dataDir) {
		return new EmbeddedPostgresSettings(dataDir, 0, "nobody", "reelay");
	}

	private static Path settingsDataDir(EmbeddedPostgresSettings settings) {
		return Path.of(settings.dataDir());
	}

	// The server's user must get through @TempDir, which is private to the JVM's user.
	private static Path traversable(Path directory) throws IOException {
		Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
		return directory;
	}

	/** Starts a server from another JVM and kills that JVM with SIGKILL, leaving the server running. */
	private static Orphan startInCrashingJvm(String dataDir) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		// A short-lived JVM: quick start beats peak performance.
		Process jvm = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
				System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
				CrashingJvm.class.getName(), dataDir)
			.redirectErrorStream(true)
			.start();
		StringBuilder output = new StringBuilder();
		try (BufferedReader lines = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				if (line.startsWith(CrashingJvm.READY)) {
					jvm.destroyForcibly();
					assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
					String[] pidAndDataDir = line.substring(CrashingJvm.READY.length()).split(" ", 2);
					return new Orphan(Long.parseLong(pidAndDataDir[0]), Path.of(pidAndDataDir[1]));
				}
				output.append(line).append('\n');
			}
		}
		throw new AssertionError("The other JVM did not start PostgreSQL:\n" + output);
	}

	private record Orphan(long pid, Path dataDir) {
	}

	private static int queryInt(PostgresConnection connection, String sql) throws SQLException {
		try (Connection jdbc = DriverManager.getConnection(connection.jdbcUrl(), connection.username(), connection.password());
				Statement statement = jdbc.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			assertThat(result.next()).isTrue();
			return result.getInt(1);
		}
	}

	private static void execute(PostgresConnection connection, String... sql) throws SQLException {
		try (Connection jdbc = DriverManager.getConnection(connection.jdbcUrl(), connection.username(), connection.password());
				Statement statement = jdbc.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
	}

	private static int uidOf(long pid) throws IOException {
		List<String> status = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"));
		return status.stream()
			.filter((line) -> line.startsWith("Uid:"))
			.map((line) -> Integer.parseInt(line.substring(4).trim().split("\\s+")[0]))
			.findFirst()
			.orElseThrow();
	}

}
