package dev.reelay.callback;

import java.util.List;
import java.util.UUID;

import dev.reelay.support.BadRequestException;
import dev.reelay.tenant.CallerTenant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The caller's own webhooks: its default URL and signing secret, the delivery log, and replays. Everything is
 * scoped to the caller's tenant; another tenant's delivery is a 404.
 */
@RestController
@RequestMapping("/api/v1/callbacks")
class CallbackController {

	private static final int MAX_PAGE = 100;

	private final TenantCallbacks tenants;

	private final DeliveryQueue queue;

	private final TargetGuard guard;

	private final DeliverySender sender;

	CallbackController(TenantCallbacks tenants, DeliveryQueue queue, TargetGuard guard, DeliverySender sender) {
		this.tenants = tenants;
		this.queue = queue;
		this.guard = guard;
		this.sender = sender;
	}

	/**
	 * The body of {@code PUT .../settings}: the default URL, or null to have none; {@code format} {@code reelay}
	 * (job events) or {@code openai} (OpenAI's video events), unchanged when left out.
	 */
	record SettingsUpdate(@Nullable String defaultUrl, @Nullable String format) {
	}

	@GetMapping("/settings")
	Mono<TenantCallbacks.SettingsView> settings() {
		return CallerTenant.current().flatMap(this.tenants::settings);
	}

	@PutMapping("/settings")
	Mono<TenantCallbacks.SettingsView> update(@RequestBody SettingsUpdate update) {
		return CallerTenant.current().flatMap((tenant) -> updateSettings(this.tenants, this.guard, tenant, update));
	}

	/** A new secret; the previous one keeps signing too for {@code reelay.callbacks.rotation-grace}. */
	@PostMapping("/secret/rotate")
	Mono<TenantCallbacks.SettingsView> rotate() {
		return CallerTenant.current().flatMap(this.tenants::rotate);
	}

	@GetMapping("/deliveries")
	Mono<List<DeliveryView>> deliveries(@RequestParam(name = "job_id", required = false) @Nullable UUID jobId,
			@RequestParam(defaultValue = "50") int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			return Mono.error(new BadRequestException("limit",
					"limit must be between 1 and " + MAX_PAGE + "; got " + limit));
		}
		return CallerTenant.current().flatMap((tenant) -> this.queue.list(tenant, jobId, limit));
	}

	@GetMapping("/deliveries/{id}")
	Mono<DeliveryView> delivery(@PathVariable UUID id) {
		return CallerTenant.current()
			.flatMap((tenant) -> this.queue.find(tenant, id))
			.switchIfEmpty(Mono.error(() -> notFound(id)));
	}

	/** Sends the same event again: same webhook id and body, new timestamp and signature, a fresh schedule. */
	@PostMapping("/deliveries/{id}/replay")
	Mono<ResponseEntity<DeliveryView>> replay(@PathVariable UUID id) {
		return CallerTenant.current().flatMap((tenant) -> this.queue.replay(tenant, id)
			.switchIfEmpty(Mono.error(() -> notFound(id)))
			.flatMap((reopened) -> {
				if (!reopened) {
					return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
							"Delivery " + id + " is being attempted right now; replay it once the attempt is logged"));
				}
				this.sender.wake();
				return this.queue.find(tenant, id);
			}))
			.map((view) -> ResponseEntity.accepted().body(view));
	}

	static Mono<TenantCallbacks.SettingsView> updateSettings(TenantCallbacks tenants, TargetGuard guard, UUID tenant,
			SettingsUpdate update) {
		String format = update.format();
		if (format != null && !TenantCallbacks.FORMATS.contains(format)) {
			return Mono.error(new BadRequestException("format",
					"format must be one of " + TenantCallbacks.FORMATS + "; got '" + format + "'"));
		}
		String url = update.defaultUrl();
		if (url == null || url.isBlank()) {
			return tenants.update(tenant, null, format);
		}
		return Mono.fromCallable(() -> checked(guard, url))
			.flatMap((checked) -> tenants.update(tenant, checked, format));
	}

	private static String checked(TargetGuard guard, String url) {
		try {
			return guard.check(url);
		}
		catch (IllegalArgumentException ex) {
			throw new BadRequestException("default_url", "default_url " + ex.getMessage());
		}
	}

	private static ResponseStatusException notFound(UUID id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No webhook delivery with id " + id);
	}

}
