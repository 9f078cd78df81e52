package dev.reelay.web;

import java.time.Duration;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Reelay's icon where browsers look for one outside the page's own {@code <link rel="icon">}: {@code /favicon.ico}
 * (asked for by any page without one, such as a JSON answer opened in a tab) and the two PNGs the API docs page
 * (Swagger UI, under {@code /swagger-ui/}) links, which would otherwise be Swagger's. The PNGs are the page's SVG
 * logo rendered at 16 and 32 pixels.
 */
@Controller
class Favicons {

	private static final CacheControl CACHE = CacheControl.maxAge(Duration.ofDays(1));

	private final Resource small = new ClassPathResource("static/img/reelay-16.png");

	private final Resource large = new ClassPathResource("static/img/reelay-32.png");

	@GetMapping({ "/favicon.ico", "/swagger-ui/favicon-32x32.png" })
	ResponseEntity<Resource> large() {
		return png(this.large);
	}

	@GetMapping("/swagger-ui/favicon-16x16.png")
	ResponseEntity<Resource> small() {
		return png(this.small);
	}

	private static ResponseEntity<Resource> png(Resource icon) {
		return ResponseEntity.ok().cacheControl(CACHE).contentType(MediaType.IMAGE_PNG).body(icon);
	}

}
