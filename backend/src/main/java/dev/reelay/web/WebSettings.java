package dev.reelay.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** What the page says about where videos come from. */
@ConfigurationProperties("reelay.web")
record WebSettings(@DefaultValue("true") boolean simulatorBanner) {
}
