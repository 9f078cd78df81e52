package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.reelay.job.JobEvent;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The wire format of every message (text/event-stream). Frames are encoded once and shared: with thousands of
 * streams, encoding per delivery would be most of the work.
 */
@Component
class StreamMessages {

	static final byte[] READY = ":ready\n\n".getBytes(StandardCharsets.UTF_8);

	static final byte[] HEARTBEAT = ":heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

	/** {@link #HEARTBEAT} in native memory, shared by every stream: write a {@code duplicate()}. */
	static final ByteBuf HEARTBEAT_WIRE = Outgoing.direct(HEARTBEAT);

	private final StreamSettings settings;

	private final JsonMapper json;

	StreamMessages(StreamSettings settings, JsonMapper json) {
		this.settings = settings;
		this.json = json;
	}

	Outgoing event(JobEvent event) {
		return new Outgoing(event, frame(event.id(), event.type().wireName(), event.payload()));
	}

	/**
	 * An event that appeared after the streams had passed over its id: sent without an id, so the client's last
	 * event id stays the newest in order and a reconnect resumes where it did.
	 */
	Outgoing late(JobEvent event) {
		return new Outgoing(event, frame(null, event.type().wireName(), event.payload()), true);
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
		return new Outgoing(null, frame(continueAfter, "reset", this.json.writeValueAsString(data)));
	}

	/** The last message of a stream the server ends; the client reconnects and resumes from its last event id. */
	Outgoing close(String reason, String message) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("reason", reason);
		data.put("message", message);
		return new Outgoing(null, frame(null, "close", this.json.writeValueAsString(data)));
	}

	private byte[] frame(@Nullable Long id, String event, String data) {
		StringBuilder frame = new StringBuilder(data.length() + 64);
		if (id != null) {
			frame.append("id:").append(id).append('\n');
		}
		frame.append("event:").append(event).append('\n');
		Duration retry = this.settings.clientRetry();
		frame.append("retry:").append(retry.toMillis()).append('\n');
		// A line break inside data would end the field; each line gets its own "data:".
		frame.append("data:").append(data.replace("\n", "\ndata:")).append("\n\n");
		return frame.toString().getBytes(StandardCharsets.UTF_8);
	}

}
