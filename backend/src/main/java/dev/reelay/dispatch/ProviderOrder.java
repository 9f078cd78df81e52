package dev.reelay.dispatch;

import java.util.ArrayList;
import java.util.List;

/** Fair turns between provider instances: each claim cycle starts one further along the list. */
final class ProviderOrder {

	private ProviderOrder() {
	}

	static List<String> rotated(List<String> providers, long cycle) {
		if (providers.size() < 2) {
			return providers;
		}
		int start = (int) (cycle % providers.size());
		List<String> order = new ArrayList<>(providers.size());
		order.addAll(providers.subList(start, providers.size()));
		order.addAll(providers.subList(0, start));
		return order;
	}

}
