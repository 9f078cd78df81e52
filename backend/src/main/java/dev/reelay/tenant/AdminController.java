package dev.reelay.tenant;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API (the admin key is checked by {@link ApiGate}): tenants, and each tenant's keys. A key is in the
 * answer to its creation and nowhere else.
 */
@RestController
@RequestMapping("/api/v1/admin/tenants")
class AdminController {

	private static final int MAX_NAME = 200;

	private final ApiKeys keys;

	private final KeyRevocations revocations;

	AdminController(ApiKeys keys, KeyRevocations revocations) {
		this.keys = keys;
		this.revocations = revocations;
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<ApiKeys.Tenant>> createTenant(@RequestBody NameRequest request) {
		return Mono.fromCallable(() -> name(request.name(), true))
			.flatMap(this.keys::createTenant)
			.map((tenant) -> ResponseEntity.created(URI.create("/api/v1/admin/tenants/" + tenant.id())).body(tenant));
	}

	@GetMapping
	Mono<Listing<ApiKeys.Tenant>> tenants() {
		return this.keys.tenants().collectList().map(Listing::new);
	}

	@PostMapping("/{tenant}/keys")
	Mono<ResponseEntity<ApiKeys.IssuedKey>> createKey(@PathVariable UUID tenant,
			@RequestBody(required = false) @Nullable NameRequest request) {
		return Mono.fromCallable(() -> name((request != null) ? request.name() : null, false))
			.flatMap((name) -> this.keys.issue(tenant, name))
			.switchIfEmpty(Mono.error(() -> noTenant(tenant)))
			.map((issued) -> ResponseEntity.status(201).body(issued));
	}

	@GetMapping("/{tenant}/keys")
	Mono<Listing<ApiKeys.KeyView>> keys(@PathVariable UUID tenant) {
		return this.keys.tenant(tenant)
			.switchIfEmpty(Mono.error(() -> noTenant(tenant)))
			.flatMap((found) -> this.keys.keys(tenant).collectList())
			.map(Listing::new);
	}

	/**
	 * Refused at once by every instance: keys are looked up on each request, never cached. Streams it opened close
	 * at once here, and within {@code reelay.security.revocation-check} elsewhere.
	 */
	@PostMapping("/{tenant}/keys/{key}/revoke")
	Mono<ApiKeys.KeyView> revoke(@PathVariable UUID tenant, @PathVariable UUID key) {
		return this.keys.revoke(tenant, key)
			.doOnNext((revoked) -> this.revocations.revokedHere(revoked.id()))
			.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("Tenant " + tenant + " has no key " + key)));
	}

	private static String name(@Nullable String raw, boolean required) {
		String name = (raw != null) ? raw.strip() : "";
		if (name.isEmpty()) {
			if (required) {
				throw ApiProblems.invalid("name", "name is required");
			}
			return "api key";
		}
		if (name.length() > MAX_NAME) {
			throw ApiProblems.invalid("name", "name must be at most " + MAX_NAME + " characters; got " + name.length());
		}
		return name;
	}

	private static Exception noTenant(UUID tenant) {
		return ApiProblems.notFound("No tenant with id " + tenant);
	}

	record NameRequest(@Nullable String name) {
	}

	record Listing<T>(List<T> data) {
	}

}
