package dev.reelay.catalog;

import java.time.LocalDate;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One model as clients see it: the id they send, the provider instance and remote name it is routed to, and what
 * it can do.
 */
public record ModelSpec(String id, String displayName, String provider, String remoteModel,
		List<Integer> durations, List<String> aspectRatios, List<String> resolutions,
		@DefaultValue("2000") int maxPromptLength, @Nullable LocalDate retiredOn, @Nullable String notes) {

	public boolean isRetired(LocalDate today) {
		return this.retiredOn != null && !today.isBefore(this.retiredOn);
	}

}
