package dev.reelay.provider.signing;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Ed25519 checks against raw public keys as JWKS publish them (OKP keys, the 32 bytes in {@code x}). */
public final class Ed25519Signatures {

	/** The DER prefix that turns 32 raw key bytes into an X.509 SubjectPublicKeyInfo. */
	private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

	private Ed25519Signatures() {
	}

	public static PublicKey publicKey(String base64UrlX) {
		byte[] raw = Base64.getUrlDecoder().decode(base64UrlX);
		byte[] encoded = new byte[X509_PREFIX.length + raw.length];
		System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
		System.arraycopy(raw, 0, encoded, X509_PREFIX.length, raw.length);
		try {
			return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("not an Ed25519 public key", ex);
		}
	}

	/** True when any key verifies the hex signature over the message. */
	public static boolean verifiesAny(List<PublicKey> keys, byte[] message, String signatureHex) {
		byte[] signature;
		try {
			signature = HexFormat.of().parseHex(signatureHex.trim());
		}
		catch (IllegalArgumentException notHex) {
			return false;
		}
		for (PublicKey key : keys) {
			try {
				Signature verifier = Signature.getInstance("Ed25519");
				verifier.initVerify(key);
				verifier.update(message);
				if (verifier.verify(signature)) {
					return true;
				}
			}
			catch (GeneralSecurityException wrongKey) {
				// try the next key
			}
		}
		return false;
	}

}
