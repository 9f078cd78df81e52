package dev.reelay.tenant;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The request path as the router matches it: each segment percent-decoded and without its matrix parameters
 * ({@link PathContainer.PathSegment#valueToMatch()}), which is what {@code @RequestMapping} and router functions
 * compare against. Deciding who may call on the raw path instead let {@code /api;/v1/admin} and
 * {@code /%61pi/v1/admin} reach the admin API without a key: the raw spelling did not look like an admin path, the
 * decoded one routed to it.
 */
final class RoutedPath {

	private RoutedPath() {
	}

	static String of(ServerHttpRequest request) {
		StringBuilder path = new StringBuilder();
		for (PathContainer.Element element : request.getPath().pathWithinApplication().elements()) {
			if (element instanceof PathContainer.PathSegment segment) {
				path.append(segment.valueToMatch());
			}
			else {
				path.append(element.value());
			}
		}
		return path.toString();
	}

	/** True for {@code prefix} itself and anything below it, never for a sibling that merely starts alike. */
	static boolean isUnder(String path, String prefix) {
		return path.equals(prefix) || path.startsWith(prefix + "/");
	}

}
