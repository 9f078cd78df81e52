package dev.reelay.webhook;

import java.net.URI;
import java.time.Duration;

import dev.reelay.job.JobQueue;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.provider.ProviderWebhooks;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Verifies before it parses, answers at once, and trusts nothing in the payload: a verified delivery only makes the
 * job it names due, and the dispatcher then asks the provider for the job's real status.
 */
@RestController
class WebhookController {

	private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

	// A webhook that cannot be checked yet (a provider's key endpoint is down) is worth sending again soon.
	private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

	private final ProviderInstances providers;

	private final ProviderWebhooks webhooks;

	private final WebhookReceipts receipts;

	private final JobQueue jobs;

	private final TransactionalOperator tx;

	WebhookController(ProviderInstances providers, ProviderWebhooks webhooks, WebhookReceipts receipts, JobQueue jobs,
			TransactionalOperator tx) {
		this.providers = providers;
		this.webhooks = webhooks;
		this.receipts = receipts;
		this.jobs = jobs;
		this.tx = tx;
	}

	@PostMapping("/webhooks/{instance}")
	Mono<ResponseEntity<?>> receive(@PathVariable String instance, @RequestHeader HttpHeaders headers,
			@RequestBody(required = false) byte @Nullable [] body) {
		if (!this.providers.isAvailable(instance)) {
			return Mono.just(problem(HttpStatus.NOT_FOUND, "Unknown webhook",
					"No enabled provider instance named '" + instance + "' takes webhooks here"));
		}
		WebhookDelivery delivery = new WebhookDelivery(headers, (body != null) ? body : new byte[0]);
		return Mono.defer(() -> this.webhooks.verifier(instance).verify(delivery))
			.flatMap((notice) -> take(instance, notice))
			.onErrorResume(WebhookRejectedException.class, (rejected) -> Mono.just(rejected(instance, rejected)));
	}

	private Mono<ResponseEntity<?>> take(String instance, WebhookNotice notice) {
		String remoteId = notice.remoteId();
		return this.receipts.firstTime(instance, notice.deliveryId(), remoteId)
			.flatMap((first) -> {
				if (!first) {
					log.info("webhook {} from {} is a redelivery; dropped", notice.deliveryId(), instance);
					return Mono.just(new Receipt(true, 0));
				}
				if (remoteId == null) {
					return Mono.just(new Receipt(false, 0));
				}
				return this.jobs.pollSoon(instance, remoteId).map((jobs) -> new Receipt(false, jobs));
			})
			.as(this.tx::transactional)
			.map((receipt) -> {
				log.info("webhook {} from {} ({}) for remote job {}: {} job(s) to poll now", notice.deliveryId(),
						instance, notice.type(), remoteId, receipt.jobs());
				return ResponseEntity.ok(receipt);
			});
	}

	private static ResponseEntity<?> rejected(String instance, WebhookRejectedException rejected) {
		if (rejected.reason() == WebhookRejectedException.Reason.NOT_ACCEPTED) {
			return problem(HttpStatus.NOT_FOUND, "Webhooks not accepted", rejected.getMessage());
		}
		if (rejected.reason() == WebhookRejectedException.Reason.UNAVAILABLE) {
			log.warn("webhook to {} could not be checked now: {}", instance, rejected.getMessage());
			ResponseEntity<ProblemDetail> unavailable = problem(HttpStatus.SERVICE_UNAVAILABLE,
					"Webhook cannot be checked now", rejected.getMessage());
			return ResponseEntity.status(unavailable.getStatusCode())
				.header(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()))
				.body(unavailable.getBody());
		}
		log.warn("webhook to {} rejected: {}", instance, rejected.getMessage());
		String title = (rejected.reason() == WebhookRejectedException.Reason.STALE) ? "Stale webhook"
				: "Unverified webhook";
		return problem(HttpStatus.UNAUTHORIZED, title, rejected.getMessage());
	}

	private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		problem.setType(URI.create("https://reelay.dev/problems/webhook"));
		return ResponseEntity.status(status).body(problem);
	}

	/** What the sender gets back: whether this was a redelivery, and how many jobs will be looked at. */
	record Receipt(boolean duplicate, long jobs) {
	}

}
