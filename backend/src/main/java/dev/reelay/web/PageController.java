package dev.reelay.web;

import java.util.UUID;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobStore;
import dev.reelay.provider.BuiltInSimulator;
import dev.reelay.tenant.PageSignIn;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The pages people use: the dashboard (submit, watch jobs move, providers, activity) and one job's page (timeline,
 * player, download). Both render their frame on the server; ES modules fill in live data. With an admin key
 * configured, a visitor who has not signed in gets the sign-in form instead.
 */
@Controller
class PageController {

	private final ModelCatalog catalog;

	private final WebSettings settings;

	private final PageSignIn signIn;

	private final ObjectProvider<BuiltInSimulator> simulator;

	private final PageVocabulary vocabulary;

	private final JobStore jobs;

	PageController(ModelCatalog catalog, WebSettings settings, PageSignIn signIn,
			ObjectProvider<BuiltInSimulator> simulator, PageVocabulary vocabulary, JobStore jobs) {
		this.vocabulary = vocabulary;
		this.jobs = jobs;
		this.catalog = catalog;
		this.settings = settings;
		this.signIn = signIn;
		this.simulator = simulator;
	}

	@GetMapping("/")
	Mono<String> index(Model model, ServerWebExchange exchange) {
		model.addAttribute("models", this.catalog.all());
		model.addAttribute("defaultModel", this.catalog.defaultModel());
		return page("index", "/", model, exchange);
	}

	/**
	 * One job's page, only for a job the visitor's tenant owns: an unknown id (or another tenant's) is a 404, which
	 * a browser sees as the error page ({@link BrowserErrorPages}) instead of an empty page waiting for a job.
	 */
	@GetMapping("/jobs/{id}")
	Mono<String> job(@PathVariable UUID id, Model model, ServerWebExchange exchange) {
		return this.signIn.tenant(exchange).flatMap((tenant) -> {
			if (tenant.isEmpty()) {
				return Mono.just(signIn(model, "/jobs/" + id));
			}
			return this.jobs.find(tenant.get(), id)
				.switchIfEmpty(Mono.error(() -> new JobNotFoundException(id)))
				.map((job) -> {
					model.addAttribute("jobId", id);
					return show("job", model);
				});
		});
	}

	/** The banner says videos come from the simulator: not true where it is off (tenants on, by default). */
	private boolean simulatorServed() {
		BuiltInSimulator builtIn = this.simulator.getIfAvailable();
		return builtIn != null && builtIn.enabled();
	}

	private Mono<String> page(String view, String path, Model model, ServerWebExchange exchange) {
		return this.signIn.signedIn(exchange).map((signedIn) -> signedIn ? show(view, model) : signIn(model, path));
	}

	private String show(String view, Model model) {
		model.addAttribute("simulatorBanner", this.settings.simulatorBanner() && simulatorServed());
		model.addAttribute("signOut", this.signIn.required());
		model.addAttribute("vocabulary", this.vocabulary.json());
		model.addAttribute("imageAccept", this.vocabulary.imageAccept());
		return view;
	}

	private static String signIn(Model model, String next) {
		model.addAttribute("next", next);
		return "signin";
	}

}
