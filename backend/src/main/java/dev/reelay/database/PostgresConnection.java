package dev.reelay.database;

/**
 * Where Reelay's PostgreSQL database is and how to log in. The same server is reached over R2DBC by requests and
 * over JDBC by Flyway at startup.
 */
public record PostgresConnection(String host, int port, String database, String username, String password) {

	public String r2dbcUrl() {
		return "r2dbc:postgresql://" + hostAndPort() + "/" + this.database;
	}

	public String jdbcUrl() {
		return "jdbc:postgresql://" + hostAndPort() + "/" + this.database;
	}

	private String hostAndPort() {
		String host = (this.host.contains(":") && !this.host.startsWith("[")) ? "[" + this.host + "]" : this.host;
		return host + ":" + this.port;
	}

	// Records print every component; this one ends up in logs and exception messages.
	@Override
	public String toString() {
		return "PostgresConnection[" + r2dbcUrl() + ", username=" + this.username + "]";
	}

}
