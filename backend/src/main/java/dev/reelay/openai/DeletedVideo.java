package dev.reelay.openai;

import io.swagger.v3.oas.annotations.media.Schema;

/** OpenAI's answer to a delete. */
@Schema(name = "OpenAiDeletedVideo")
record DeletedVideo(String id, String object, boolean deleted) {

	static DeletedVideo of(String id) {
		return new DeletedVideo(id, "video.deleted", true);
	}

}
