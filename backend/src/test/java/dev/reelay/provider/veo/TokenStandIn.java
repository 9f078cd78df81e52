package dev.reelay.provider.veo;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * Google's OAuth token endpoint for service accounts, with a ledger of the tokens it issued. It checks what Google
 * checks of a JWT bearer grant: the grant type, an RS256 assertion signed by the account's key (verified with the
 * public half), issued by the account's email, for this endpoint as audience, with a scope and a lifetime of at
 * most an hour; anything else is refused as {@code invalid_grant}. It can answer late or fail with any status.
 * Any other path is a stand-in Vertex AI that wants the latest token it issued as a Bearer token.
 */
final class TokenStandIn implements AutoCloseable {

	static final String EMAIL = "reelay@project-1.iam.gserviceaccount.com";

	static final KeyPair KEYS = keys();

	final List<String> issued = new CopyOnWriteArrayList<>();

	final List<RecordedRequest> vertexCalls = new CopyOnWriteArrayList<>();

	final List<JWTClaimsSet> assertions = new CopyOnWriteArrayList<>();

	private final ConcurrentLinkedDeque<MockResponse> scripted = new ConcurrentLinkedDeque<>();

	private final AtomicInteger counter = new AtomicInteger();

	volatile long expiresIn = 3600;

	volatile long delayMillis;

	volatile String vertexAnswer = "{}";

	private final MockWebServer server = StandIn.serving(this::answer);

	private static KeyPair keys() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A service-account key file as Google issues them, for this stand-in's account. */
	static String keyJson(String tokenUri) {
		String pem = "-----BEGIN PRIVATE KEY-----\\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(KEYS.getPrivate().getEncoded()).replace("\n", "\\n")
				+ "\\n-----END PRIVATE KEY-----\\n";
		return """
				{"type": "service_account", "project_id": "project-1", "private_key_id": "kid-1",
				 "private_key": "%s", "client_email": "%s", "client_id": "1",
				 "token_uri": "%s"}
				""".formatted(pem, EMAIL, tokenUri);
	}

	String url(String path) {
		return StandIn.url(this.server, path);
	}

	void failNext(int status, String body) {
		this.scripted.add(new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	private MockResponse answer(RecordedRequest request) {
		if (!request.getUrl().encodedPath().equals("/token")) {
			this.vertexCalls.add(request);
			String latest = this.issued.isEmpty() ? "none" : this.issued.get(this.issued.size() - 1);
			if (!("Bearer " + latest).equals(request.getHeaders().get("Authorization"))) {
				return json(401, "{\"error\": {\"code\": 401, \"message\": \"Request had invalid authentication "
						+ "credentials.\", \"status\": \"UNAUTHENTICATED\"}}");
			}
			return json(200, this.vertexAnswer);
		}
		MockResponse scripted = this.scripted.poll();
		if (scripted != null) {
			return scripted;
		}
		HttpUrl form = HttpUrl.get("http://form/?" + StandIn.body(request));
		if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.queryParameter("grant_type"))) {
			return json(400, "{\"error\": \"unsupported_grant_type\"}");
		}
		try {
			SignedJWT jwt = SignedJWT.parse(form.queryParameter("assertion"));
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			long lifetime = (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000;
			boolean valid = jwt.verify(new RSASSAVerifier((RSAPublicKey) KEYS.getPublic()))
					&& "RS256".equals(jwt.getHeader().getAlgorithm().getName())
					&& "kid-1".equals(jwt.getHeader().getKeyID()) && EMAIL.equals(claims.getIssuer())
					&& claims.getAudience().equals(List.of(url("/token")))
					&& "https://www.googleapis.com/auth/cloud-platform".equals(claims.getStringClaim("scope"))
					&& lifetime > 0 && lifetime <= 3600;
			if (!valid) {
				return json(400, "{\"error\": \"invalid_grant\", \"error_description\": \"Invalid JWT Signature.\"}");
			}
			this.assertions.add(claims);
		}
		catch (Exception ex) {
			return json(400, "{\"error\": \"invalid_grant\", \"error_description\": \"Malformed assertion.\"}");
		}
		String token = "ya29.token-" + this.counter.incrementAndGet();
		this.issued.add(token);
		return new MockResponse.Builder().code(200)
			.headersDelay(this.delayMillis, TimeUnit.MILLISECONDS)
			.setHeader("Content-Type", "application/json")
			.body("{\"access_token\": \"" + token + "\", \"expires_in\": " + this.expiresIn
					+ ", \"token_type\": \"Bearer\"}")
			.build();
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
