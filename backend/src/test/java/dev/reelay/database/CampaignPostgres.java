package dev.reelay.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.commons.logging.LogFactory;

/**
 * An embedded PostgreSQL server of the fault campaign's own, outside any Spring context, that can be restarted on
 * the same port and data (as an operator restarts a database under running applications). Its data directory lives
 * under {@code java.io.tmpdir} so the server's user can reach it when the build runs as root.
 */
public final class CampaignPostgres implements AutoCloseable {

	private final Path root;

	private final EmbeddedPostgres server;

	private final PostgresConnection connection;

	private CampaignPostgres(Path root, EmbeddedPostgres server) {
		this.root = root;
		this.server = server;
		this.connection = server.start();
	}

	public static CampaignPostgres start() {
		try {
			Path root = Files.createTempDirectory("reelay-chaos-pg-");
			Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
				port = socket.getLocalPort();
			}
			EmbeddedPostgresSettings settings = new EmbeddedPostgresSettings(root.resolve("data").toString(), port,
					"nobody", "reelay");
			return new CampaignPostgres(root, new EmbeddedPostgres(settings, LogFactory.getLog(CampaignPostgres.class)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public PostgresConnection connection() {
		return this.connection;
	}

	/** A fast shutdown (every session ended) and a start on the same port and data. */
	public void restart() {
		this.server.stop();
		this.server.start();
	}

	@Override
	public void close() {
		this.server.stop();
		FileTrees.deleteQuietly(this.root);
	}

}
