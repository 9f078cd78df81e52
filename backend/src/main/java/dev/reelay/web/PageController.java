package dev.reelay.web;

import java.util.UUID;

import dev.reelay.catalog.ModelCatalog;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * The pages people use: the dashboard (submit, watch jobs move, providers, activity) and one job's page (timeline,
 * player, download). Both render their frame on the server; ES modules fill in live data.
 */
@Controller
class PageController {

	private final ModelCatalog catalog;

	private final WebSettings settings;

	PageController(ModelCatalog catalog, WebSettings settings) {
		this.catalog = catalog;
		this.settings = settings;
	}

	@GetMapping("/")
	String index(Model model) {
		model.addAttribute("models", this.catalog.all());
		model.addAttribute("defaultModel", this.catalog.defaultModel());
		model.addAttribute("simulatorBanner", this.settings.simulatorBanner());
		return "index";
	}

	@GetMapping("/jobs/{id}")
	String job(@PathVariable UUID id, Model model) {
		model.addAttribute("jobId", id);
		model.addAttribute("simulatorBanner", this.settings.simulatorBanner());
		return "job";
	}

}
