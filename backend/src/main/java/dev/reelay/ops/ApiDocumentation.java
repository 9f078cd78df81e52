package dev.reelay.ops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import dev.reelay.job.JobEventType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of {@code /api/v1/**} and of the OpenAI-compatible {@code /v1/**} ({@code /v3/api-docs},
 * browsable at {@code /swagger-ui.html}).
 * springdoc derives it from the controllers; this adds what it cannot see: what travels on the SSE streams.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "springdoc.api-docs.enabled", matchIfMissing = true)
class ApiDocumentation {

	static final String EVENT_STREAM = org.springframework.http.MediaType.TEXT_EVENT_STREAM_VALUE;

	static final String JOB_SCHEMA = "#/components/schemas/JobView";

	@Bean
	OpenAPI reelayApi() {
		return new OpenAPI().info(new Info().title("Reelay API")
			.version("v1")
			.description("Submit AI video generation jobs, follow them live over Server-Sent Events and download the "
					+ "finished videos. Errors are RFC 9457 problems (application/problem+json) naming the field at "
					+ "fault.")
			.license(new License().name("Apache-2.0")));
	}

	/** Tags, summaries, success statuses and problem responses per operation. */
	@Bean
	OpenApiCustomizer apiOperations() {
		return new ApiOperations();
	}

	/** Every {@code text/event-stream} response gets the event frame and the list of event types. */
	@Bean
	OpenApiCustomizer serverSentEvents() {
		return (api) -> {
			if (api.getPaths() == null) {
				return;
			}
			api.getPaths().values().forEach((path) -> {
				if (path.getGet() == null || path.getGet().getResponses() == null) {
					return;
				}
				ApiResponse ok = path.getGet().getResponses().get("200");
				if (ok == null || ok.getContent() == null || !ok.getContent().containsKey(EVENT_STREAM)) {
					return;
				}
				ok.setDescription(eventsDescription());
				ok.getContent().put(EVENT_STREAM, new MediaType().schema(eventSchema()));
			});
		};
	}

	private static Schema<?> eventSchema() {
		List<String> types = Arrays.stream(JobEventType.values()).map(JobEventType::wireName).toList();
		return new ObjectSchema().name("JobServerSentEvent")
			.description("One SSE frame (id, event, data, retry lines). Comment frames carry no event.")
			.addProperty("id", new StringSchema().description(
					"Durable event id; send it back as Last-Event-ID (or last_event_id) to resume without gaps"))
			.addProperty("event", new StringSchema()._enum(types).description("The event type"))
			.addProperty("data", new Schema<>().$ref(JOB_SCHEMA)
				.description("The job as JSON, right after the change"))
			.addProperty("retry", new IntegerSchema().description("Reconnect delay hint in milliseconds"));
	}

	private static String eventsDescription() {
		String types = Arrays.stream(JobEventType.values())
			.map((type) -> "- `" + type.wireName() + "`: " + meaning(type))
			.collect(Collectors.joining("\n"));
		return "A stream of Server-Sent Events, one per job state change, in event id order. Event types:\n\n" + types
				+ "\n\nComment frames: `: ready` (the all-jobs stream is listening), `: heartbeat` (every 15 s by "
				+ "default), `: end` (a job's stream ends after its terminal event).";
	}

	// A switch, so a new event type does not compile until it is documented.
	private static String meaning(JobEventType type) {
		return switch (type) {
			case QUEUED -> "the job was accepted and waits for the provider (also after a rate limit put it back)";
			case SUBMITTED -> "the provider accepted the job; `remote_id` is its id there";
			case PROGRESS -> "the job moved on: submitting, in progress, downloading, or more `progress` (0-100)";
			case COMPLETED -> "the video is stored; `links.content` downloads it (terminal)";
			case FAILED -> "the job failed; `error` says why and whether a retry may help (terminal)";
			case CANCELED -> "the job was canceled (terminal)";
			case DELETED -> "the finished job was deleted (`DELETE /api/v1/jobs/{id}`): its video is gone and the API "
					+ "answers 404 for it from now on";
		};
	}

}
