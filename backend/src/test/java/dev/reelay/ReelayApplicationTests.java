package dev.reelay;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
class ReelayApplicationTests {

	@Autowired
	DatabaseClient database;

	@Test
	void startsWithAMigratedDatabase() {
		List<String> tables = this.database
			.sql("select table_name from information_schema.tables where table_schema = current_schema()")
			.map((row) -> row.get("table_name", String.class))
			.all()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(tables).contains("jobs", "job_events", "flyway_schema_history");
	}

}
