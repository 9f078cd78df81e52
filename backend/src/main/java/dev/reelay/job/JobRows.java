package dev.reelay.job;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.provider.ProviderUsage;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;

/** Maps job rows to {@link Job} and back; the only place that knows column names. */
@Component
class JobRows {

	static final String COLUMNS = "id, tenant_id, status, progress, model, provider, prompt, parameters, priority, not_before, "
			+ "remote_id, status_reason, "
			+ "error_code, error_message, error_retryable, content_path, content_type, content_length, content_sha256, "
			+ "provider_usage, attempts, next_attempt_at, lease_owner, lease_until, submit_started_at, created_at, "
			+ "updated_at, completed_at, version, provider_request_id, provider_calls, thumbnail, cost_currency, "
			+ "estimated_cost, actual_cost";

	private final JsonMapper json;

	JobRows(JsonMapper json) {
		this.json = json;
	}

	Job read(Readable row) {
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
				row.get("provider_calls", Integer.class), cost);
	}

	/** Binds every mutable column of {@code job} under its column name. */
	GenericExecuteSpec bindState(GenericExecuteSpec spec, Job job) {
		JobError error = job.error();
		StoredContent content = job.content();
		return spec.bind("status", job.status().value())
			.bind("progress", job.progress())
			.bind("remote_id", Parameter.fromOrEmpty(job.remoteId(), String.class))
			.bind("status_reason", Parameter.fromOrEmpty(job.statusReason(), String.class))
			.bind("error_code", Parameter.fromOrEmpty((error != null) ? error.code() : null, String.class))
			.bind("error_message", Parameter.fromOrEmpty((error != null) ? error.message() : null, String.class))
			.bind("error_retryable", Parameter.fromOrEmpty((error != null) ? error.retryable() : null, Boolean.class))
			.bind("content_path", Parameter.fromOrEmpty((content != null) ? content.location() : null, String.class))
			.bind("content_type", Parameter.fromOrEmpty((content != null) ? content.contentType() : null, String.class))
			.bind("content_length", Parameter.fromOrEmpty((content != null) ? content.length() : null, Long.class))
			.bind("content_sha256", Parameter.fromOrEmpty((content != null) ? content.sha256() : null, String.class))
			.bind("provider_usage", Parameter.fromOrEmpty(usageJson(job.providerUsage()), Json.class))
			.bind("thumbnail", Parameter.fromOrEmpty(thumbnailJson(content), Json.class))
			.bind("attempts", job.attempts())
			.bind("next_attempt_at", job.nextAttemptAt())
			.bind("submit_started_at", Parameter.fromOrEmpty(job.submitStartedAt(), Instant.class))
			.bind("provider_request_id", Parameter.fromOrEmpty(job.providerRequestId(), String.class))
			.bind("provider_calls", job.providerCalls())
			.bind("actual_cost", Parameter.fromOrEmpty((job.cost() != null) ? job.cost().actual() : null, BigDecimal.class));
	}

	private @Nullable Json usageJson(@Nullable ProviderUsage usage) {
		return (usage != null) ? Json.of(this.json.writeValueAsString(usage)) : null;
	}

	private @Nullable Json thumbnailJson(@Nullable StoredContent content) {
		StoredContent.Thumbnail thumbnail = (content != null) ? content.thumbnail() : null;
		return (thumbnail != null) ? Json.of(this.json.writeValueAsString(thumbnail)) : null;
	}

	Json parametersJson(Job job) {
		return Json.of(this.json.writeValueAsString(job.parameters()));
	}

}
