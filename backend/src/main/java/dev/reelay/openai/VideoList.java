package dev.reelay.openai;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** OpenAI's list envelope: a page of videos, the ids at its ends, and whether more follow. */
@Schema(name = "OpenAiVideoList")
record VideoList(String object, List<VideoObject> data, @Nullable String firstId, @Nullable String lastId,
		boolean hasMore) {

	static VideoList of(List<VideoObject> page, boolean more) {
		return new VideoList("list", page, page.isEmpty() ? null : page.get(0).id(),
				page.isEmpty() ? null : page.get(page.size() - 1).id(), more);
	}

}
