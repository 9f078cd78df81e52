package dev.reelay.database;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;

/**
 * A PostgreSQL server Reelay runs itself from the embedded binaries, for machines that have nothing but a JDK.
 * <p>
 * Beside the data directory it keeps {@code <data-dir>.credentials} (the generated password, readable only by the
 * JVM's user), {@code <data-dir>.log} (the server log) and {@code <data-dir>.lock} (held while a JVM owns the
 * server, and released by the OS when that JVM dies, which is how a server left by a crashed run is recognised).
 */
final class EmbeddedPostgres {

	static final String USERNAME = "reelay";

	private static final String DATA_DIR_PROPERTY = EmbeddedPostgresSettings.PREFIX + ".data-dir";

	private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);

	private static final String TEMPORARY_PREFIX = "reelay-postgres-data-";

	/**
	 * Lock files this JVM holds. The sweep must not even open them: on Linux, closing any channel to a file drops
	 * every lock the process holds on it (see {@link FileLock}), which would leave a running server looking
	 * abandoned to the next JVM that sweeps.
	 */
	private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

	private static final String SOCKET_DIR_PREFIX = "reelay-pg-";

	private static final long LOG_ROTATE_BYTES = 10 * 1024 * 1024;

	// One server per settings per JVM: every Spring test context, however configured, reuses it.
	private static final Map<EmbeddedPostgresSettings, EmbeddedPostgres> sharedServers = new HashMap<>();

	private final EmbeddedPostgresSettings settings;

	private final Log log;

	private @Nullable Running running;

	private record Running(Layout layout, RunAs runAs, Path binaries, Path socketDir, FileChannel lock,
			PostgresConnection connection) {
	}

	EmbeddedPostgres(EmbeddedPostgresSettings settings, Log log) {
		this.settings = settings;
		this.log = log;
	}

	/** The JVM-wide server for these settings, started on first use and stopped when the JVM exits. */
	static synchronized EmbeddedPostgres shared(EmbeddedPostgresSettings settings, Log log) {
		EmbeddedPostgres server = sharedServers.get(settings);
		if (server == null) {
			server = new EmbeddedPostgres(settings, log);
			server.start();
			server.stopOnShutdown();
			sharedServers.put(settings, server);
		}
		return server;
	}

	synchronized PostgresConnection start() {
		if (this.running != null) {
			return this.running.connection();
		}
		Path binaries = PostgresBinaries.installation();
		RunAs runAs = RunAs.resolve(this.settings.runAs());
		runAs.requireTraversable(binaries, "the java.io.tmpdir system property");
		if (this.settings.temporary()) {
			sweepAbandonedTemporaryServers(runAs, binaries);
		}
		Layout layout = Layout.of(this.settings);
		FileChannel lock;
		try {
			runAs.requireTraversable(layout.dataDir().getParent(), DATA_DIR_PROPERTY);
			lock = lock(layout);
		}
		catch (RuntimeException ex) {
			if (layout.temporaryRoot() != null) {
				FileTrees.deleteQuietly(layout.temporaryRoot());
			}
			throw ex;
		}
		Path socketDir = null;
		try {
			// Again, now that any missing directories exist: a restrictive umask would have made them private.
			runAs.requireTraversable(layout.dataDir().getParent(), DATA_DIR_PROPERTY);
			prepareDataDir(layout, runAs);
			String password = password(layout);
			// Private to the server's user; PostgreSQL would otherwise put its socket and lock file in shared /tmp.
			socketDir = Files.createTempDirectory(SOCKET_DIR_PREFIX);
			runAs.own(socketDir, false);
			if (!Files.exists(layout.dataDir().resolve("PG_VERSION"))) {
				initdb(layout, runAs, binaries, socketDir, password);
			}
			stopStaleServer(layout, runAs, binaries);
			prepareLogFile(layout, runAs);
			int port = startServer(layout, runAs, binaries, socketDir);
			PostgresConnection connection = new PostgresConnection("127.0.0.1", port, this.settings.database(),
					USERNAME, password);
			this.running = new Running(layout, runAs, binaries, socketDir, lock, connection);
			createDatabase(connection);
			return connection;
		}
		catch (IOException | RuntimeException ex) {
			if (this.running != null) {
				stop();
			}
			else {
				closeQuietly(lock);
				LOCKED_HERE.remove(held(layout));
				if (socketDir != null) {
					FileTrees.deleteQuietly(socketDir);
				}
				if (layout.temporaryRoot() != null) {
					FileTrees.deleteQuietly(layout.temporaryRoot());
				}
			}
			if (ex instanceof IOException io) {
				throw new UncheckedIOException("Could not start the embedded PostgreSQL server in " + layout.dataDir(), io);
			}
			throw (RuntimeException) ex;
		}
	}

	synchronized void stop() {
		Running running = this.running;
		if (running == null) {
			return;
		}
		this.running = null;
		Commands.Result result = Commands.run(running.runAs()
			.command(pgCtl(running.binaries()), "stop", "-D", running.layout().dataDir().toString(), "-m", "fast", "-w",
					"-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds())),
				PG_CTL_TIMEOUT.plusSeconds(10));
		if (!result.succeeded()) {
			this.log.warn("Could not stop the embedded PostgreSQL server in " + running.layout().dataDir() + ": "
					+ result.output());
		}
		closeQuietly(running.lock());
		LOCKED_HERE.remove(held(running.layout()));
		FileTrees.deleteQuietly(running.socketDir());
		if (running.layout().temporaryRoot() != null) {
			FileTrees.deleteQuietly(running.layout().temporaryRoot());
		}
	}

	synchronized PostgresConnection connection() {
		if (this.running == null) {
			throw new IllegalStateException("The embedded PostgreSQL server is not running");
		}
		return this.running.connection();
	}

	synchronized Path dataDirectory() {
		if (this.running == null) {
			throw new IllegalStateException("The embedded PostgreSQL server is not running");
		}
		return this.running.layout().dataDir();
	}

	/** Reads the server's pid the way pg_ctl does, from the first line of {@code postmaster.pid}. */
	static long postmasterPid(Path dataDir) {
		try (Stream<String> lines = Files.lines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8)) {
			return lines.findFirst().map(String::trim).map(Long::parseLong).orElse(-1L);
		}
		catch (IOException | NumberFormatException ex) {
			return -1;
		}
	}

	private void stopOnShutdown() {
		// Boot runs these handlers after it has closed every application context, so the server outlives the
		// connection pools and the graceful shutdown of in-flight requests.
		SpringApplication.getShutdownHandlers().add(this::stop);
		// Boot only installs its hook when a SpringApplication asked for one; this covers every other case.
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			awaitSpringShutdown();
			stop();
		}, "reelay-postgres-shutdown"));
	}

	// JVM shutdown hooks run concurrently; when Boot's is running, let it close the contexts (and stop us) first.
	// Boot's hook is found by its thread name, as it exposes no handle; if it is missed (not yet started, or
	// renamed), the server merely stops alongside the contexts instead of after them.
	private static void awaitSpringShutdown() {
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if ("SpringApplicationShutdownHook".equals(thread.getName()) && thread != Thread.currentThread()) {
				try {
					thread.join(Duration.ofSeconds(60).toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}
	}

	/**
	 * A test JVM that was killed leaves its throwaway server running and its directory behind. Its lock is free,
	 * so stop the server and delete the directory. Young directories are skipped: another JVM may be between
	 * creating one and locking it.
	 */
	private void sweepAbandonedTemporaryServers(RunAs runAs, Path binaries) {
		Path tempDir = Path.of(System.getProperty("java.io.tmpdir"));
		long youngest = System.currentTimeMillis() - Duration.ofMinutes(1).toMillis();
		List<Path> candidates;
		try (Stream<Path> entries = Files.list(tempDir)) {
			candidates = entries.filter((entry) -> entry.getFileName().toString().startsWith(TEMPORARY_PREFIX))
				.filter((entry) -> !LOCKED_HERE.contains(held(Layout.in(entry))))
				.filter((entry) -> Files.exists(entry.resolve("data.lock")))
				.filter((entry) -> lastModified(entry) < youngest)
				.toList();
		}
		catch (IOException ex) {
			return;
		}
		for (Path root : candidates) {
			Layout layout = Layout.in(root);
			try (FileChannel channel = FileChannel.open(layout.lockFile(), StandardOpenOption.WRITE)) {
				FileLock lock = channel.tryLock();
				if (lock == null) {
					continue;
				}
				this.log.info("Removing the temporary PostgreSQL server in " + root + " abandoned by a JVM that was killed");
				stopStaleServer(layout, runAs, binaries);
				FileTrees.deleteQuietly(root);
			}
			catch (IOException | IllegalStateException ex) {
				// Someone else's, in use by this JVM (OverlappingFileLockException), or refusing to die: leave it.
			}
		}
	}

	private static long lastModified(Path path) {
		try {
			return Files.getLastModifiedTime(path).toMillis();
		}
		catch (IOException ex) {
			return Long.MAX_VALUE;
		}
	}

	private static FileChannel lock(Layout layout) {
		Path file = held(layout);
		try {
			if (LOCKED_HERE.contains(file)) {
				throw inUse(layout);
			}
			Files.createDirectories(layout.lockFile().getParent());
			FileChannel channel = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock lock;
			try {
				lock = channel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				lock = null;
			}
			if (lock == null) {
				channel.close();
				throw inUse(layout);
			}
			LOCKED_HERE.add(file);
			return channel;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not lock " + layout.lockFile(), ex);
		}
	}

	private static Path held(Layout layout) {
		return layout.lockFile().toAbsolutePath().normalize();
	}

	private static IllegalStateException inUse(Layout layout) {
		return new IllegalStateException("The PostgreSQL data directory " + layout.dataDir()
				+ " is in use by another running Reelay (it holds " + layout.lockFile() + "); stop it or set "
				+ DATA_DIR_PROPERTY + " to another directory");
	}

	private static void prepareDataDir(Layout layout, RunAs runAs) throws IOException {
		Path dataDir = layout.dataDir();
		Files.createDirectories(dataDir);
		if (runAs.switchesUser() && (Integer) Files.getAttribute(dataDir, "unix:uid") != runAs.uid()) {
			// Left by a run as another user (run-as changed, or once run unprivileged): the server insists on owning it.
			runAs.own(dataDir, true);
		}
		Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
		if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
			try (Stream<Path> entries = Files.list(dataDir)) {
				if (entries.findAny().isPresent()) {
					throw new IllegalStateException(dataDir + " is neither empty nor a PostgreSQL data directory; empty it or set "
							+ DATA_DIR_PROPERTY + " to another directory");
				}
			}
		}
	}

	private static String password(Layout layout) throws IOException {
		Path file = layout.credentials();
		if (Files.exists(file)) {
			Properties credentials = new Properties();
			credentials.load(new StringReader(Files.readString(file)));
			String password = credentials.getProperty("password");
			if (password != null && !password.isBlank()) {
				return password;
			}
		}
		if (Files.exists(layout.dataDir().resolve("PG_VERSION"))) {
			throw new IllegalStateException(layout.dataDir() + " holds a PostgreSQL cluster, but its password file "
					+ file + " is missing; restore that file, or delete the data directory to start with an empty database");
		}
		byte[] random = new byte[24];
		new SecureRandom().nextBytes(random);
		String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
		FileTrees.writePrivate(file, "# Generated by Reelay for the embedded PostgreSQL server in " + layout.dataDir()
				+ "\nusername=" + USERNAME + "\npassword=" + password + "\n");
		return password;
	}

	private void initdb(Layout layout, RunAs runAs, Path binaries, Path socketDir, String password) throws IOException {
		Path passwordFile = socketDir.resolve("initdb.pw");
		Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
		Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
		runAs.own(passwordFile, false);
		List<String> arguments = new ArrayList<>(List.of("-D", layout.dataDir().toString(), "-U", USERNAME,
				"--pwfile=" + passwordFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"));
		if (layout.temporaryRoot() != null) {
			arguments.add("--no-sync");
		}
		Commands.Result result = Commands.run(runAs.command(binaries.resolve("bin/initdb"), arguments.toArray(String[]::new)),
				PG_CTL_TIMEOUT);
		Files.deleteIfExists(passwordFile);
		if (!result.succeeded()) {
			throw new IllegalStateException("initdb failed for " + layout.dataDir() + ":\n" + result.output());
		}
		this.log.debug("Created a PostgreSQL cluster in " + layout.dataDir());
	}

	/**
	 * A server can outlive its JVM (kill -9, IDE stop button): the JVM is gone, we hold the lock, yet postmaster.pid
	 * is still there. Stop whatever is left so the new server can start.
	 */
	private void stopStaleServer(Layout layout, RunAs runAs, Path binaries) throws IOException {
		Path pidFile = layout.dataDir().resolve("postmaster.pid");
		if (!Files.exists(pidFile)) {
			return;
		}
		Path staleSocketDir = staleSocketDir(pidFile);
		List<ProcessHandle> leftovers = new ArrayList<>();
		Optional<ProcessHandle> postmaster = ProcessHandle.of(postmasterPid(layout.dataDir()))
			.filter(ProcessHandle::isAlive)
			.filter(EmbeddedPostgres::isPostgres);
		if (postmaster.isPresent()) {
			this.log.warn("Stopping PostgreSQL server " + postmaster.get().pid() + " left running in " + layout.dataDir()
					+ " by an earlier run");
			Commands.Result result = Commands.run(runAs.command(pgCtl(binaries), "stop", "-D", layout.dataDir().toString(),
					"-m", "fast", "-w", "-t", "30"), PG_CTL_TIMEOUT);
			if (!result.succeeded()) {
				postmaster.get().destroyForcibly();
				leftovers.add(postmaster.get());
			}
		}
		// The backends of a killed postmaster linger briefly; while they hold its shared memory a new server refuses
		// to start. They are the postgres processes working in this data directory.
		Path dataDir = layout.dataDir().toRealPath();
		for (ProcessHandle process : postgresProcessesIn(dataDir)) {
			process.destroyForcibly();
			leftovers.add(process);
		}
		awaitExit(leftovers, Duration.ofSeconds(30));
		Files.deleteIfExists(pidFile);
		if (staleSocketDir != null) {
			FileTrees.deleteQuietly(staleSocketDir);
		}
	}

	// Line 5 of postmaster.pid; only a directory we created (see start) is ours to delete.
	private static @Nullable Path staleSocketDir(Path pidFile) {
		try {
			List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
			if (lines.size() < 5 || lines.get(4).isBlank()) {
				return null;
			}
			Path socketDir = Path.of(lines.get(4).trim());
			Path tempDir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
			boolean ours = tempDir.equals(socketDir.getParent()) && socketDir.getFileName().toString().startsWith(SOCKET_DIR_PREFIX);
			return ours ? socketDir : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static List<ProcessHandle> postgresProcessesIn(Path dataDir) {
		Path proc = Path.of("/proc");
		if (!Files.isDirectory(proc)) {
			return List.of();
		}
		List<ProcessHandle> processes = new ArrayList<>();
		try (Stream<Path> entries = Files.list(proc)) {
			entries.filter((entry) -> entry.getFileName().toString().matches("\\d+")).forEach((entry) -> {
				try {
					if (Files.readSymbolicLink(entry.resolve("cwd")).equals(dataDir)) {
						ProcessHandle.of(Long.parseLong(entry.getFileName().toString()))
							.filter(EmbeddedPostgres::isPostgres)
							.ifPresent(processes::add);
					}
				}
				catch (IOException | UnsupportedOperationException | SecurityException ex) {
					// Another user's process, or one that just exited.
				}
			});
		}
		catch (IOException ex) {
			return List.of();
		}
		return processes;
	}

	// A pid from a stale file may since have been given to an unrelated process.
	private static boolean isPostgres(ProcessHandle process) {
		try {
			String commandLine = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline")),
					StandardCharsets.UTF_8);
			return commandLine.startsWith("postgres") || commandLine.contains("/bin/postgres");
		}
		catch (IOException ex) {
			return process.info().command().map((command) -> command.endsWith("/postgres")).orElse(false);
		}
	}

	private static void awaitExit(List<ProcessHandle> processes, Duration timeout) {
		if (processes.isEmpty()) {
			return;
		}
		try {
			CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
				.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("PostgreSQL processes " + processes.stream().map(ProcessHandle::pid).toList()
					+ " left by an earlier run did not exit; stop them and start Reelay again", ex);
		}
	}

	private static void prepareLogFile(Layout layout, RunAs runAs) throws IOException {
		Path logFile = layout.logFile();
		if (Files.exists(logFile) && Files.size(logFile) > LOG_ROTATE_BYTES) {
			Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
		}
		if (!Files.exists(logFile)) {
			Files.createFile(logFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
		}
		// pg_ctl appends to it as the server's user.
		runAs.own(logFile, false);
	}

	private int startServer(Layout layout, RunAs runAs, Path binaries, Path socketDir) {
		for (int attempt = 1;; attempt++) {
			int port = (this.settings.port() != 0) ? this.settings.port() : freePort();
			long logOffset = size(layout.logFile());
			Commands.Result result = Commands.run(runAs.command(pgCtl(binaries), "start", "-D", layout.dataDir().toString(),
					"-l", layout.logFile().toString(), "-w", "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds()), "-s", "-o",
					serverOptions(layout, port, socketDir)), PG_CTL_TIMEOUT.plusSeconds(10));
			if (result.succeeded()) {
				return port;
			}
			// Only what this attempt wrote: the log also holds every earlier run.
			String logTail = FileTrees.tail(layout.logFile(), logOffset, 30);
			// Another process may take the free port between our probe and the server's bind.
			if (this.settings.port() == 0 && attempt < 3 && logTail.contains("could not bind")) {
				continue;
			}
			throw new IllegalStateException("The embedded PostgreSQL server did not start in " + layout.dataDir() + ": "
					+ result.output() + "\nFrom " + layout.logFile() + ":\n"
					+ (logTail.isBlank() ? "(the server wrote nothing)" : logTail));
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	// pg_ctl passes these through a shell, hence the quoting.
	private static String serverOptions(Layout layout, int port, Path socketDir) {
		StringBuilder options = new StringBuilder();
		options.append("-p ").append(port);
		options.append(" -c listen_addresses=127.0.0.1");
		options.append(" -c unix_socket_directories='").append(socketDir).append("'");
		if (layout.temporaryRoot() != null) {
			// Throwaway test data: durability costs time and buys nothing. Many cached test contexts each keep a pool.
			options.append(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
		}
		return options.toString();
	}

	private static void createDatabase(PostgresConnection connection) {
		Properties properties = new Properties();
		properties.setProperty("user", connection.username());
		properties.setProperty("password", connection.password());
		properties.setProperty("connectTimeout", "10");
		String url = "jdbc:postgresql://" + connection.host() + ":" + connection.port() + "/postgres";
		try (Connection jdbc = new org.postgresql.Driver().connect(url, properties)) {
			try (PreparedStatement exists = jdbc.prepareStatement("select 1 from pg_database where datname = ?")) {
				exists.setString(1, connection.database());
				try (ResultSet result = exists.executeQuery()) {
					if (result.next()) {
						return;
					}
				}
			}
			try (Statement create = jdbc.createStatement()) {
				create.execute("create database \"" + connection.database().replace("\"", "\"\"") + "\"");
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create database " + connection.database() + " on the embedded "
					+ "PostgreSQL server at " + url, ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port for PostgreSQL", ex);
		}
	}

	private static Path pgCtl(Path binaries) {
		return binaries.resolve("bin/pg_ctl");
	}

	private static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closing releases the lock; the OS releases it anyway when the JVM exits.
		}
	}

	/** Where a server's files live; for {@code temporary}, a fresh directory deleted when the server stops. */
	record Layout(Path dataDir, Path credentials, Path logFile, Path lockFile, @Nullable Path temporaryRoot) {

		static Layout of(EmbeddedPostgresSettings settings) {
			if (!settings.temporary()) {
				return of(Path.of(settings.dataDir()).toAbsolutePath().normalize(), null);
			}
			try {
				Path temporaryRoot = Files.createTempDirectory(TEMPORARY_PREFIX);
				// Only the data directory inside must be private; the server's user has to get through this one.
				Files.setPosixFilePermissions(temporaryRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
				return in(temporaryRoot);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not create a temporary PostgreSQL data directory", ex);
			}
		}

		static Layout in(Path temporaryRoot) {
			return of(temporaryRoot.resolve("data"), temporaryRoot);
		}

		private static Layout of(Path dataDir, @Nullable Path temporaryRoot) {
			String name = dataDir.getFileName().toString();
			return new Layout(dataDir, dataDir.resolveSibling(name + ".credentials"), dataDir.resolveSibling(name + ".log"),
					dataDir.resolveSibling(name + ".lock"), temporaryRoot);
		}

	}

}
