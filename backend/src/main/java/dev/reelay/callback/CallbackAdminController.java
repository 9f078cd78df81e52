package dev.reelay.callback;

import java.util.UUID;

import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An operator's view of any tenant's webhook settings, under the admin API (guarded by the admin key). */
@RestController
@RequestMapping("/api/v1/admin/tenants/{tenant}/callbacks")
class CallbackAdminController {

	private final TenantCallbacks tenants;

	private final TargetGuard guard;

	CallbackAdminController(TenantCallbacks tenants, TargetGuard guard) {
		this.tenants = tenants;
		this.guard = guard;
	}

	@GetMapping
	Mono<TenantCallbacks.SettingsView> settings(@PathVariable UUID tenant) {
		return this.tenants.settings(tenant);
	}

	@PutMapping
	Mono<TenantCallbacks.SettingsView> update(@PathVariable UUID tenant,
			@RequestBody CallbackController.SettingsUpdate update) {
		return CallbackController.updateSettings(this.tenants, this.guard, tenant, update);
	}

	@PostMapping("/secret/rotate")
	Mono<TenantCallbacks.SettingsView> rotate(@PathVariable UUID tenant) {
		return this.tenants.rotate(tenant);
	}

}
