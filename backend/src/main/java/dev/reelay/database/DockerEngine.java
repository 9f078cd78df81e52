package dev.reelay.database;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * A cheap "does a Docker engine answer?" check. Asking the Docker CLI would take a second; connecting to its
 * socket takes a millisecond, and a socket file left by a stopped daemon refuses the connection.
 */
final class DockerEngine {

	private static final int TCP_TIMEOUT_MILLIS = 300;

	private DockerEngine() {
	}

	static boolean answers(Environment environment) {
		String dockerHost = environment.getProperty("DOCKER_HOST");
		if (StringUtils.hasText(dockerHost)) {
			return answers(dockerHost.trim());
		}
		for (Path socket : defaultSockets(environment)) {
			if (Files.exists(socket) && connects(socket)) {
				return true;
			}
		}
		return false;
	}

	private static boolean answers(String dockerHost) {
		try {
			URI uri = URI.create(dockerHost);
			String scheme = (uri.getScheme() != null) ? uri.getScheme() : "";
			return switch (scheme) {
				case "unix" -> connects(Path.of(uri.getPath()));
				case "tcp", "http", "https" -> connects(uri.getHost(), (uri.getPort() != -1) ? uri.getPort() : 2375);
				// ssh:// and npipe:// cannot be probed cheaply; trust the user who set DOCKER_HOST.
				default -> true;
			};
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static List<Path> defaultSockets(Environment environment) {
		List<Path> sockets = new ArrayList<>(List.of(Path.of("/var/run/docker.sock")));
		// Rootless Docker, then Docker Desktop.
		addIfSet(sockets, environment.getProperty("XDG_RUNTIME_DIR"), "docker.sock");
		addIfSet(sockets, System.getProperty("user.home"), ".docker/run/docker.sock");
		return sockets;
	}

	private static void addIfSet(List<Path> sockets, @Nullable String directory, String child) {
		if (StringUtils.hasText(directory)) {
			sockets.add(Path.of(directory, child));
		}
	}

	private static boolean connects(Path socket) {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			// Non-blocking so that even a daemon with a full backlog cannot stall startup; refused means nobody's home.
			channel.configureBlocking(false);
			channel.connect(UnixDomainSocketAddress.of(socket));
			return true;
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	private static boolean connects(@Nullable String host, int port) {
		if (host == null) {
			return false;
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), TCP_TIMEOUT_MILLIS);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
