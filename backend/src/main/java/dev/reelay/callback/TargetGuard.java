package dev.reelay.callback;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import dev.reelay.job.CallbackUrlPolicy;
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Where webhooks may go: absolute https URLs (http only when configured) without user information, to public
 * addresses only. URLs are checked when stored (literal addresses only: no DNS on the request path) and again before
 * every attempt, when every address the host resolves to is checked and the connection goes to a checked one
 * ({@link GuardedResolverGroup}). Refusals never repeat the URL, which may carry a token.
 */
@Component
class TargetGuard implements CallbackUrlPolicy {

	private static final Logger log = LoggerFactory.getLogger(TargetGuard.class);

	private static final int MAX_LENGTH = 2048;

	// Every label a number (decimal, octal or hex): an IPv4 address in a form resolvers accept but NetUtil does not.
	private static final Pattern NUMERIC_HOST = Pattern
		.compile("^(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?$", Pattern.CASE_INSENSITIVE);

	/**
	 * Names of the cloud instance metadata services, refused without a lookup (the address rules catch them too once
	 * resolved, but a name is refused up front): Google Cloud ({@code metadata.google.internal}, {@code metadata},
	 * {@code metadata.goog}), AWS EC2 ({@code instance-data}, {@code instance-data.ec2.internal}) and the
	 * Kubernetes API server's names inside a cluster.
	 */
	private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal", "metadata.goog",
			"instance-data", "instance-data.ec2.internal", "kubernetes", "kubernetes.default", "kubernetes.default.svc");

	/**
	 * Top-level names that never reach the public internet: {@code .internal} (reserved for private use by ICANN in
	 * 2024; cloud providers name instances under it), {@code .local} (mDNS, RFC 6762, and Kubernetes'
	 * {@code cluster.local}) and {@code .home.arpa} (RFC 8375).
	 */
	private static final List<String> INTERNAL_SUFFIXES = List.of(".internal", ".local", ".home.arpa");

	private final CallbackSettings settings;

	TargetGuard(CallbackSettings settings) {
		this.settings = settings;
	}

	@Override
	public String check(String url) {
		return target(url).toString();
	}

	/** The URL if it may be called, else an {@link IllegalArgumentException} saying why (without the URL). */
	URI target(String url) {
		String trimmed = url.strip();
		if (trimmed.length() > MAX_LENGTH) {
			throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
		}
		URI uri;
		try {
			uri = new URI(trimmed);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("is not a valid URL");
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!uri.isAbsolute() || uri.getHost() == null || uri.isOpaque()) {
			throw new IllegalArgumentException("must be an absolute https URL with a host");
		}
		if (!scheme.equals("https") && !(scheme.equals("http") && this.settings.allowHttp())) {
			throw new IllegalArgumentException("must use https"
					+ (scheme.equals("http") ? " (http is allowed only when reelay.callbacks.allow-http is set)" : ""));
		}
		if (uri.getRawUserInfo() != null) {
			throw new IllegalArgumentException("must not contain user information (user:password@)");
		}
		if (uri.getRawFragment() != null) {
			throw new IllegalArgumentException("must not contain a fragment");
		}
		if (!this.settings.allowPrivateAddresses()) {
			String refusal = hostRefusal(uri.getHost());
			if (refusal != null) {
				throw new IllegalArgumentException(refusal);
			}
		}
		return uri;
	}

	/** Why a host may not be called without resolving it, or null when only DNS can tell. */
	static @Nullable String hostRefusal(String host) {
		String bare = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		String lower = bare.toLowerCase(Locale.ROOT);
		if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("localhost.")) {
			return "points at a loopback address; webhooks go to public addresses only";
		}
		String name = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
		if (METADATA_HOSTS.contains(name) || INTERNAL_SUFFIXES.stream().anyMatch(name::endsWith)) {
			return "names a cloud metadata service or an internal-only host; webhooks go to public hosts only";
		}
		byte[] literal = NetUtil.createByteArrayFromIpAddressString(bare);
		if (literal != null) {
			try {
				String refusal = refusal(InetAddress.getByAddress(literal));
				return (refusal != null) ? "points at " + refusal + "; webhooks go to public addresses only" : null;
			}
			catch (UnknownHostException ex) {
				return "is not a valid address";
			}
		}
		if (NUMERIC_HOST.matcher(bare).matches()) {
			return "must write an IP address in standard form";
		}
		return null;
	}

	/** Throws when any of a host's addresses may not be called; an empty list is refused too. */
	void requireAllowed(String host, List<InetAddress> addresses) throws RefusedTargetException {
		if (addresses.isEmpty()) {
			throw new RefusedTargetException(host + " resolves to no address");
		}
		if (this.settings.allowPrivateAddresses()) {
			return;
		}
		for (InetAddress address : addresses) {
			String refusal = refusal(address);
			if (refusal != null) {
				// The kind of address only: the delivery log is the tenant's, and which internal address a name has
				// is the operator's to know.
				log.debug("webhook host {} refused: it resolves to {}", host, address.getHostAddress());
				throw new RefusedTargetException(host + " resolves to " + refusal + "; webhooks go to public addresses only");
			}
		}
	}

	/** What kind of non-public address this is, or null for a public unicast address. */
	static @Nullable String refusal(InetAddress address) {
		byte[] b = address.getAddress();
		if (b.length == 4) {
			return refusalV4(b);
		}
		byte[] embedded = embeddedV4(b);
		if (embedded != null) {
			String inner = refusalV4(embedded);
			return (inner != null) ? inner + " inside an IPv6 address" : null;
		}
		return refusalV6(b);
	}

	private static @Nullable String refusalV4(byte[] b) {
		int a0 = b[0] & 0xff;
		int a1 = b[1] & 0xff;
		int a2 = b[2] & 0xff;
		if (a0 == 0) {
			return "an unspecified address (0.0.0.0/8)";
		}
		if (a0 == 127) {
			return "a loopback address";
		}
		if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
			return "a private address (RFC 1918)";
		}
		if (a0 == 100 && (a1 & 0xc0) == 64) {
			return "a carrier-grade NAT address (100.64.0.0/10)";
		}
		if (a0 == 169 && a1 == 254) {
			return "a link-local address (169.254.0.0/16, cloud metadata)";
		}
		if (a0 >= 224 && a0 <= 239) {
			return "a multicast address";
		}
		if (a0 >= 240) {
			return "a reserved or broadcast address (240.0.0.0/4)";
		}
		if ((a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) || (a0 == 198 && (a1 & 0xfe) == 18)
				|| (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
			return "a special-purpose address (IETF, benchmarking or documentation)";
		}
		return null;
	}

	private static @Nullable String refusalV6(byte[] b) {
		boolean allZeroButLast = true;
		for (int i = 0; i < 15; i++) {
			allZeroButLast &= b[i] == 0;
		}
		if (allZeroButLast && (b[15] == 0 || b[15] == 1)) {
			return (b[15] == 0) ? "an unspecified address (::)" : "a loopback address";
		}
		int first = b[0] & 0xff;
		int second = b[1] & 0xff;
		if ((first & 0xfe) == 0xfc) {
			return "a unique-local address (fc00::/7)";
		}
		if (first == 0xfe && (second & 0xc0) == 0x80) {
			return "a link-local address (fe80::/10)";
		}
		if (first == 0xfe && (second & 0xc0) == 0xc0) {
			return "a site-local address (fec0::/10)";
		}
		if (first == 0xff) {
			return "a multicast address";
		}
		if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
			return "a documentation address (2001:db8::/32)";
		}
		if (first == 0x01 && second == 0 && allZero(b, 2, 8)) {
			return "a discard-only address (100::/64)";
		}
		return null;
	}

	/** The IPv4 address inside IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) forms. */
	private static byte @Nullable [] embeddedV4(byte[] b) {
		boolean mapped = allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
		boolean compatible = allZero(b, 0, 12) && !allZero(b, 12, 15);
		boolean nat64 = (b[0] & 0xff) == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
				&& allZero(b, 4, 12);
		if (mapped || compatible || nat64) {
			return new byte[] { b[12], b[13], b[14], b[15] };
		}
		if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
			return new byte[] { b[2], b[3], b[4], b[5] };
		}
		return null;
	}

	private static boolean allZero(byte[] b, int from, int to) {
		for (int i = from; i < to; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		return true;
	}

}
