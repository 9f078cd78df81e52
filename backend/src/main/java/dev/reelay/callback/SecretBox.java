package dev.reelay.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Keeps the tenants' signing secrets unreadable in the database: AES-256-GCM under {@code reelay.callbacks.secret-key}
 * (from the environment), a fresh nonce per secret, the tenant id as associated data so a value cannot be moved to
 * another tenant's row. Without a key the secrets are stored as they are (marked so), and the start-up log says so.
 */
@Component
class SecretBox {

	private static final Logger log = LoggerFactory.getLogger(SecretBox.class);

	private static final String SEALED = "gcm1:";

	private static final String PLAIN = "plain:";

	private static final int NONCE = 12;

	private final @Nullable SecretKeySpec key;

	private final SecureRandom random = new SecureRandom();

	SecretBox(CallbackSettings settings) {
		String configured = settings.secretKey();
		if (configured == null || configured.isBlank()) {
			this.key = null;
			log.warn("reelay.callbacks.secret-key is not set: webhook signing secrets are stored unencrypted");
			return;
		}
		byte[] bytes;
		try {
			bytes = Base64.getDecoder().decode(configured.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("reelay.callbacks.secret-key must be base64");
		}
		if (bytes.length != 32) {
			throw new IllegalStateException("reelay.callbacks.secret-key must be 32 bytes (base64); got " + bytes.length);
		}
		this.key = new SecretKeySpec(bytes, "AES");
	}

	String seal(String tenant, String secret) {
		SecretKeySpec sealing = this.key;
		if (sealing == null) {
			return PLAIN + secret;
		}
		byte[] nonce = new byte[NONCE];
		this.random.nextBytes(nonce);
		byte[] sealed = cipher(Cipher.ENCRYPT_MODE, sealing, nonce, tenant, secret.getBytes(StandardCharsets.UTF_8));
		byte[] all = Arrays.copyOf(nonce, NONCE + sealed.length);
		System.arraycopy(sealed, 0, all, NONCE, sealed.length);
		return SEALED + Base64.getEncoder().encodeToString(all);
	}

	String open(String tenant, String stored) {
		if (stored.startsWith(PLAIN)) {
			return stored.substring(PLAIN.length());
		}
		SecretKeySpec sealing = this.key;
		if (sealing == null || !stored.startsWith(SEALED)) {
			throw new IllegalStateException("a webhook secret is encrypted but reelay.callbacks.secret-key is not set");
		}
		byte[] all = Base64.getDecoder().decode(stored.substring(SEALED.length()));
		byte[] plain = cipher(Cipher.DECRYPT_MODE, sealing, Arrays.copyOf(all, NONCE), tenant,
				Arrays.copyOfRange(all, NONCE, all.length));
		return new String(plain, StandardCharsets.UTF_8);
	}

	private static byte[] cipher(int mode, SecretKeySpec key, byte[] nonce, String tenant, byte[] input) {
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(mode, key, new GCMParameterSpec(128, nonce));
			cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
			return cipher.doFinal(input);
		}
		catch (GeneralSecurityException ex) {
			// Never the secret in the message: only that it could not be sealed or opened (wrong key?).
			throw new IllegalStateException("a webhook secret could not be " + ((mode == Cipher.ENCRYPT_MODE)
					? "encrypted" : "decrypted (was reelay.callbacks.secret-key changed?)"));
		}
	}

}
