package dev.reelay.provider.veo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A Google service-account key file's parts that sign token requests. Its {@link #toString} names the account
 * only: the key is never printed.
 */
record ServiceAccountKey(String clientEmail, @Nullable String privateKeyId, RSAPrivateKey privateKey,
		@Nullable String tokenUri) {

	/** Whether a credential is a service-account key (its JSON, or the path of its file) rather than a token. */
	static boolean looksLikeKey(String credential) {
		String value = credential.strip();
		return value.startsWith("{") || value.endsWith(".json") || value.contains("/");
	}

	/** Parses the key from its JSON or from the file at that path; the message never quotes the credential. */
	static ServiceAccountKey parse(String credential, String instance) {
		String value = credential.strip();
		String json = value;
		if (!value.startsWith("{")) {
			try {
				json = Files.readString(Path.of(value));
			}
			catch (IOException | RuntimeException ex) {
				throw new IllegalStateException("Provider instance '" + instance + "' names a service-account key file "
						+ "that cannot be read (" + ex.getClass().getSimpleName() + ")");
			}
		}
		JsonNode key = ProviderHttp.parse(json);
		String email = ProviderHttp.text(key, "client_email");
		String pem = ProviderHttp.text(key, "private_key");
		if (email == null || pem == null) {
			throw new IllegalStateException("Provider instance '" + instance + "' has a credential that is not a "
					+ "Google service-account key (it needs client_email and private_key)");
		}
		return new ServiceAccountKey(email, ProviderHttp.text(key, "private_key_id"), rsa(pem, instance),
				ProviderHttp.text(key, "token_uri"));
	}

	private static RSAPrivateKey rsa(String pem, String instance) {
		try {
			String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
			return (RSAPrivateKey) KeyFactory.getInstance("RSA")
				.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
		}
		catch (GeneralSecurityException | IllegalArgumentException | ClassCastException ex) {
			throw new IllegalStateException("Provider instance '" + instance + "' has a service-account key whose "
					+ "private_key is not a PKCS#8 RSA key");
		}
	}

	@Override
	public String toString() {
		return "ServiceAccountKey[" + this.clientEmail + "]";
	}

}
