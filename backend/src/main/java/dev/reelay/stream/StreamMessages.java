package dev.reelay.stream;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.reelay.job.JobEvent;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

/** What streams send besides job events: the wire format of every message lives here. */
@Component
class StreamMessages {

	static final ServerSentEvent<String> READY = ServerSentEvent.<String>builder().comment("ready").build();

	static final ServerSentEvent<String> HEARTBEAT = ServerSentEvent.<String>builder().comment("heartbeat").build();

	private final StreamSettings settings;

	private final JsonMapper json;

	StreamMessages(StreamSettings settings, JsonMapper json) {
		this.settings = settings;
		this.json = json;
	}

	Outgoing event(JobEvent event) {
		return new Outgoing(event, ServerSentEvent.builder(event.payload())
			.id(Long.toString(event.id()))
			.event(event.type().wireName())
			.retry(this.settings.clientRetry())
			.build());
	}

	/**
	 * Tells the client that the events after its {@code lastEventId} are no longer all there, so it must refetch
	 * the state it shows. {@code continueAfter} becomes the stream's position, so a reconnect does not ask again.
	 */
	Outgoing reset(ResumeVerdict verdict, long lastEventId, @Nullable Long continueAfter) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("reason", verdict.reason());
		data.put("message", verdict.message());
		data.put("last_event_id", lastEventId);
		ServerSentEvent.Builder<String> sse = ServerSentEvent.builder(this.json.writeValueAsString(data))
			.event("reset")
			.retry(this.settings.clientRetry());
		if (continueAfter != null) {
			sse.id(Long.toString(continueAfter));
		}
		return new Outgoing(null, sse.build());
	}

	/** The last message of a stream the server ends; the client reconnects and resumes from its last event id. */
	Outgoing close(String reason, String message) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("reason", reason);
		data.put("message", message);
		return new Outgoing(null, ServerSentEvent.builder(this.json.writeValueAsString(data))
			.event("close")
			.retry(this.settings.clientRetry())
			.build());
	}

}
