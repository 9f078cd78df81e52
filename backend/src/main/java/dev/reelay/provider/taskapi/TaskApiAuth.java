package dev.reelay.provider.taskapi;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import org.springframework.http.HttpHeaders;

/**
 * Puts one task API's credentials on a request. Secrets are looked up by name ({@code key} is the instance's API key,
 * the rest come from the environment variables the API's file names); a JWT is minted for every call, so it is never
 * near its expiry when it arrives.
 */
final class TaskApiAuth {

	private final TaskApiSpec.Auth auth;

	private final Map<String, String> secrets;

	private final Clock clock;

	TaskApiAuth(TaskApiSpec.Auth auth, Map<String, String> secrets, Clock clock) {
		this.auth = auth;
		this.secrets = secrets;
		this.clock = clock;
		if (auth.scheme() == TaskApiSpec.Auth.Scheme.JWT_HS256) {
			// Minted once now, so that a secret HS256 cannot use (shorter than 32 bytes) stops startup.
			jwt();
		}
	}

	void apply(HttpHeaders headers) {
		switch (this.auth.scheme()) {
			case BEARER -> headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + secret("key"));
			case HEADER -> headers.set(this.auth.header(), secret("key"));
			case JWT_HS256 -> headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + jwt());
			case NONE -> {
			}
		}
	}

	private String jwt() {
		Instant now = this.clock.instant();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(secret(this.auth.issuer()))
			.expirationTime(Date.from(now.plus(this.auth.lifetime())))
			.notBeforeTime(Date.from(now.minus(this.auth.notBeforeSkew())))
			.build();
		SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
				claims);
		try {
			token.sign(new MACSigner(secret(this.auth.signingSecret()).getBytes(StandardCharsets.UTF_8)));
		}
		catch (JOSEException ex) {
			// The library's message names the key length, never the key.
			throw new IllegalStateException("Cannot sign the JWT with secret '" + this.auth.signingSecret() + "': "
					+ ex.getMessage());
		}
		return token.serialize();
	}

	private String secret(String name) {
		String value = this.secrets.get(name);
		if (value == null || value.isBlank()) {
			throw new IllegalStateException("The secret '" + name + "' is not set");
		}
		return value;
	}

}
