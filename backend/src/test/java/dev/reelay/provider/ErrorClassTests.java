package dev.reelay.provider;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassTests {

	@Test
	void classifiesByCodeFirst() {
		assertThat(ErrorClass.of(error("moderation_blocked", 400))).isEqualTo(ErrorClass.MODERATION);
		assertThat(ErrorClass.of(error("rate_limit_exceeded", 429))).isEqualTo(ErrorClass.RATE_LIMIT);
		assertThat(ErrorClass.of(error("insufficient_quota", 429))).isEqualTo(ErrorClass.QUOTA);
	}

	@Test
	void thenByHttpStatus() {
		assertThat(ErrorClass.of(error("whatever", 429))).isEqualTo(ErrorClass.RATE_LIMIT);
		assertThat(ErrorClass.of(error("whatever", 502))).isEqualTo(ErrorClass.PROVIDER_5XX);
		assertThat(ErrorClass.of(error("whatever", 504))).isEqualTo(ErrorClass.TIMEOUT);
		assertThat(ErrorClass.of(error("whatever", 422))).isEqualTo(ErrorClass.VALIDATION);
		assertThat(ErrorClass.of(error("whatever", 401))).isEqualTo(ErrorClass.AUTHENTICATION);
		assertThat(ErrorClass.of(error("whatever", 418))).isEqualTo(ErrorClass.OTHER);
	}

	@Test
	void noAnswerIsATimeoutOrUnreachable() {
		ProviderException timedOut = new ProviderException(ProviderException.Kind.RETRYABLE, "provider_unreachable",
				"no answer", 0, null, null, new TimeoutException());
		assertThat(ErrorClass.of(timedOut)).isEqualTo(ErrorClass.TIMEOUT);
		ProviderException refused = new ProviderException(ProviderException.Kind.RETRYABLE, "io", "refused", 0, null,
				null, new ConnectException());
		assertThat(ErrorClass.of(refused)).isEqualTo(ErrorClass.UNREACHABLE);
	}

	@Test
	void storedJobCodesMapToTheSameClasses() {
		assertThat(ErrorClass.ofCode("moderation_blocked").tag()).isEqualTo("moderation");
		assertThat(ErrorClass.ofCode("internal_error").tag()).isEqualTo("generation_failed");
		assertThat(ErrorClass.ofCode("provider_error").tag()).isEqualTo("provider_5xx");
		assertThat(ErrorClass.ofCode("submit_attempts_exhausted").tag()).isEqualTo("other");
		// Every family's word for a refusal by moderation: billing, metrics and the page's error.kind agree on them.
		assertThat(java.util.List.of("moderation_blocked", "content_policy_violation", "safety_filtered",
				"SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO", "content_policy_violation_image"))
			.allSatisfy((code) -> assertThat(ErrorClass.ofCode(code)).as(code).isEqualTo(ErrorClass.MODERATION));
		assertThat(ErrorClass.ofCode("generation_failed")).isEqualTo(ErrorClass.GENERATION_FAILED);
	}

	private static ProviderException error(String code, int status) {
		return new ProviderException(ProviderErrors.kindOf(status), code, "message", status, null, null, null);
	}

}
