package dev.reelay.tenant;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.adapter.ForwardedHeaderTransformer;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Reelay's own forwarded-header handling, under the name WebFlux looks for, whatever
 * {@code server.forward-headers-strategy} says (application.yaml sets it to {@code none}, so Reactor Netty's
 * native support, which trusts everyone, stays off even on a cloud platform).
 */
@Configuration(proxyBeanMethods = false)
class TrustedProxiesConfiguration {

	@Bean(WebHttpHandlerBuilder.FORWARDED_HEADER_TRANSFORMER_BEAN_NAME)
	ForwardedHeaderTransformer forwardedHeaderTransformer(ClientTrustSettings settings) {
		return new TrustedProxies(settings.trustedProxies());
	}

}
