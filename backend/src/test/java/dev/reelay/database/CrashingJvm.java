package dev.reelay.database;

import java.io.IOException;

import org.apache.commons.logging.LogFactory;

/**
 * Run in a separate JVM by {@link EmbeddedPostgresTests}: starts an embedded server, reports its pid and waits to
 * be killed, so that the server is left behind the way a crashed Reelay leaves it.
 */
class CrashingJvm {

	static final String READY = "READY ";

	public static void main(String[] args) throws IOException {
		EmbeddedPostgres server = new EmbeddedPostgres(new EmbeddedPostgresSettings(args[0], 0, "nobody", "reelay"),
				LogFactory.getLog(CrashingJvm.class));
		server.start();
		System.out.println(READY + EmbeddedPostgres.postmasterPid(server.dataDirectory()) + " " + server.dataDirectory());
		System.out.flush();
		// Never returns normally: the test kills this JVM.
		System.in.read();
	}

}
