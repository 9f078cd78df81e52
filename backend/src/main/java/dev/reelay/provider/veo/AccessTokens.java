package dev.reelay.provider.veo;

import reactor.core.publisher.Mono;

/** Where a Vertex AI instance gets the OAuth access token each call carries. */
interface AccessTokens {

	Mono<String> token();

	/** A token the operator pasted (gcloud auth print-access-token): it lapses after about an hour. */
	static AccessTokens fixed(String token) {
		Mono<String> same = Mono.just(token);
		return () -> same;
	}

}
