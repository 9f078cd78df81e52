package dev.reelay.provider;

import org.springframework.http.HttpHeaders;

/** A webhook request exactly as received: signatures cover the raw bytes, so nothing is parsed before checking. */
public record WebhookDelivery(HttpHeaders headers, byte[] body) {
}
