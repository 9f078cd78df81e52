package dev.reelay.tenant;

import java.util.UUID;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * The tenant an API request acts for, carried in the Reactor context of the request so that code on the request
 * path asks for it instead of having it passed along.
 */
public final class CallerTenant {

	/** The tenant of the local single-user mode; every job stored before tenants existed belongs to it. */
	public static final UUID LOCAL = new UUID(0L, 0L);

	private static final Class<CallerTenant> KEY = CallerTenant.class;

	private CallerTenant() {
	}

	/** The caller's tenant; an error when the request was not authenticated (a wiring mistake, not user input). */
	public static Mono<UUID> current() {
		return Mono.deferContextual((context) -> context.<UUID>getOrEmpty(KEY)
			.map(Mono::just)
			.orElseGet(() -> Mono.error(new IllegalStateException("no tenant was resolved for this request"))));
	}

	static Context with(Context context, UUID tenant) {
		return context.put(KEY, tenant);
	}

}
