package dev.reelay.web;

import dev.reelay.catalog.ModelCatalog;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The page people use: submit a prompt, watch jobs move, play the result. */
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

}
