package dev.reelay.job.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobError;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobView;
import dev.reelay.job.StoredContent;
import dev.reelay.provider.ProviderUsage;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** Maps job rows to {@link Job} and back; the only place that knows column names. */
@Component
public class JobRows {

	static final String COLUMNS = "id, tenant_id, status, progress, model, provider, prompt, parameters, priority, not_before, "
			+ "remote_id, status_reason, "
			+ "error_code, error_message, error_retryable, content_path, content_type, content_length, content_sha256, "
			+ "provider_usage, attempts, next_attempt_at, lease_owner, lease_until, submit_started_at, created_at, "
			+ "updated_at, completed_at, version, provider_request_id, provider_calls, thumbnail, cost_currency, "
			+ "estimated_cost, actual_cost, step_retries, route_attempts, route_cost";

	private final JsonMapper json;

	/**
	 * Stored JSON is read leniently, unlike the API's requests: during a rolling upgrade a row written by a newer
	 * instance may carry a field this one does not know, and must still be read (one unreadable row would otherwise
	 * fail every claim that meets it).
	 */
	JobRows(JsonMapper json) {
		this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
	}

	public Job read(Readable row) {
		String errorCode = row.get("error_code", String.class);
		JobError error = (errorCode != null) ? new JobError(errorCode, row.get("error_message", String.class),
				Boolean.TRUE.equals(row.get("error_retryable", Boolean.class))) : null;
		String contentPath = row.get("content_path", String.class);
		Json thumbnail = row.get("thumbnail", Json.class);
		StoredContent content = (contentPath != null) ? new StoredContent(contentPath,
				row.get("content_type", String.class), row.get("content_length", Long.class),
				row.get("content_sha256", String.class), (thumbnail != null)
						? this.json.readValue(thumbnail.asString(), StoredContent.Thumbnail.class) : null) : null;
		Json usage = row.get("provider_usage", Json.class);
		String currency = row.get("cost_currency", String.class);
		JobCost cost = (currency != null) ? new JobCost(currency, row.get("estimated_cost", BigDecimal.class),
				row.get("actual_cost", BigDecimal.class)) : null;
		return new Job(row.get("id", UUID.class), row.get("tenant_id", UUID.class), JobStatus.fromValue(row.get("status", String.class)),
				row.get("progress", Integer.class), row.get("model", String.class), row.get("provider", String.class),
				row.get("prompt", String.class),
				this.json.readValue(row.get("parameters", Json.class).asString(), JobParameters.class),
				row.get("priority", Integer.class), row.get("not_before", Instant.class), row.get("remote_id", String.class), row.get("status_reason", String.class), error, content,
				(usage != null) ? this.json.readValue(usage.asString(), ProviderUsage.class) : null,
				row.get("attempts", Integer.class), row.get("next_attempt_at", Instant.class),
				row.get("lease_owner", String.class), row.get("lease_until", Instant.class),
				row.get("submit_started_at", Instant.class), row.get("created_at", Instant.class),
				row.get("updated_at", Instant.class), row.get("completed_at", Instant.class),
				row.get("version", Long.class), row.get("provider_request_id", String.class),
				row.get("provider_calls", Integer.class), cost, row.get("step_retries", Integer.class),
				routeAttempts(row.get("route_attempts", Json.class)), row.get("route_cost", BigDecimal.class));
	}

	private Map<String, Integer> routeAttempts(@Nullable Json stored) {
		if (stored == null) {
			return Map.of();
		}
		Map<String, Integer> attempts = new LinkedHashMap<>();
		this.json.readTree(stored.asString()).properties()
			.forEach((entry) -> attempts.put(entry.getKey(), entry.getValue().asInt()));
		return Collections.unmodifiableMap(attempts);
	}

	/**
	 * The columns a change may write, with their SQL types: the column list of the {@code json_to_recordset} that
	 * multi-row statements read their rows from (one bound JSON array, so the statement text is the same for any
	 * number of rows and stays prepared).
	 */
	static final Map<String, String> STATE = stateColumns();

	private static Map<String, String> stateColumns() {
		Map<String, String> columns = new LinkedHashMap<>();
		for (String column : List.of("status", "provider", "remote_id", "status_reason", "error_code", "error_message",
				"content_path", "content_type", "content_sha256", "provider_request_id")) {
			columns.put(column, "text");
		}
		columns.put("progress", "integer");
		columns.put("attempts", "integer");
		columns.put("provider_calls", "integer");
		columns.put("step_retries", "integer");
		columns.put("error_retryable", "boolean");
		columns.put("content_length", "bigint");
		columns.put("provider_usage", "jsonb");
		columns.put("thumbnail", "jsonb");
		columns.put("next_attempt_at", "timestamptz");
		columns.put("submit_started_at", "timestamptz");
		columns.put("cost_currency", "text");
		columns.put("estimated_cost", "numeric");
		columns.put("actual_cost", "numeric");
		columns.put("route_attempts", "jsonb");
		columns.put("route_cost", "numeric");
		return Collections.unmodifiableMap(columns);
	}

	/** {@code name type, ...} for a {@code json_to_recordset} column definition: {@link #STATE} plus {@code extra}. */
	static String recordColumns(String extra) {
		return STATE.entrySet()
			.stream()
			.map((column) -> column.getKey() + " " + column.getValue())
			.collect(Collectors.joining(", ", "", ", " + extra));
	}

	/** Every mutable column of {@code job} under its column name, for a row of a multi-row statement. */
	Map<String, @Nullable Object> state(Job job) {
		JobError error = job.error();
		StoredContent content = job.content();
		Map<String, @Nullable Object> row = new LinkedHashMap<>();
		row.put("status", job.status().value());
		row.put("provider", job.provider());
		row.put("progress", job.progress());
		row.put("remote_id", job.remoteId());
		row.put("status_reason", job.statusReason());
		row.put("error_code", (error != null) ? error.code() : null);
		row.put("error_message", (error != null) ? error.message() : null);
		row.put("error_retryable", (error != null) ? error.retryable() : null);
		row.put("content_path", (content != null) ? content.location() : null);
		row.put("content_type", (content != null) ? content.contentType() : null);
		row.put("content_length", (content != null) ? content.length() : null);
		row.put("content_sha256", (content != null) ? content.sha256() : null);
		row.put("provider_usage", job.providerUsage());
		row.put("thumbnail", (content != null) ? content.thumbnail() : null);
		row.put("attempts", job.attempts());
		row.put("next_attempt_at", timestamp(job.nextAttemptAt()));
		row.put("submit_started_at", timestamp(job.submitStartedAt()));
		row.put("provider_request_id", job.providerRequestId());
		row.put("provider_calls", job.providerCalls());
		row.put("step_retries", job.stepRetries());
		JobCost cost = job.cost();
		row.put("cost_currency", (cost != null) ? cost.currency() : null);
		row.put("estimated_cost", (cost != null) ? cost.estimated() : null);
		row.put("actual_cost", (cost != null) ? cost.actual() : null);
		row.put("route_attempts", job.routeAttempts());
		row.put("route_cost", job.routeCost());
		return row;
	}

	/** ISO-8601 text, which PostgreSQL reads as {@code timestamptz} (to the microsecond, as a bound value). */
	static @Nullable String timestamp(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

	/** Rows as the JSON array a multi-row statement binds. */
	String json(List<? extends Map<String, @Nullable Object>> rows) {
		return this.json.writeValueAsString(rows);
	}

	/** The event of a change: the job as clients see it right after the change. */
	public JobEventLog.NewEvent event(Job job, JobEventType type) {
		return new JobEventLog.NewEvent(job.id(), type, this.json.writeValueAsString(JobView.of(job)));
	}

}
