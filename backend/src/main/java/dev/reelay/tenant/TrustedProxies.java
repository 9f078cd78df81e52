package dev.reelay.tenant;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.util.matcher.InetAddressMatcher;
import org.springframework.security.util.matcher.InetAddressMatchers;
import org.springframework.web.server.adapter.ForwardedHeaderTransformer;

/**
 * {@code Forwarded} and {@code X-Forwarded-*} believed only from {@code reelay.security.trusted-proxies}. Spring's
 * {@link ForwardedHeaderTransformer} applies them from anyone (and Reactor Netty's native support likewise), so a
 * client could claim https (and get a {@code Secure} cookie decision wrong) or any client address (and slip past the
 * per-address limit of {@link FailedKeyLookups}). Here the headers are applied only when the connection comes from a
 * trusted proxy, and dropped otherwise. The client address is the right-most hop that is not a trusted proxy (the
 * left-most one, which Spring takes, is whatever the client wrote).
 */
class TrustedProxies extends ForwardedHeaderTransformer {

	/**
	 * Set on a request whose forwarding headers came from a peer that is not a trusted proxy and were dropped; the
	 * simulator (which answers only Reelay itself) refuses such requests. A client setting it itself only refuses itself.
	 */
	static final String UNTRUSTED_FORWARDING = "X-Reelay-Untrusted-Forwarding";

	private static final Pattern FORWARDED_FOR = Pattern.compile("(?i)(?:^|;)\\s*for=\\s*(\"[^\"]*\"|[^;,\\s]*)");

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private final List<InetAddressMatcher> proxies;

	private final ForwardedHeaderTransformer remover = new ForwardedHeaderTransformer();

	TrustedProxies(List<String> proxies) {
		this.proxies = proxies.stream().map(String::strip).map(TrustedProxies::matcher).toList();
		this.remover.setRemoveOnly(true);
	}

	private static InetAddressMatcher matcher(String proxy) {
		try {
			return InetAddressMatchers.fromIpAddress(proxy);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("reelay.security.trusted-proxies takes IP addresses and CIDR ranges "
					+ "(10.0.0.0/8, ::1); got '" + proxy + "'", ex);
		}
	}

	@Override
	public ServerHttpRequest apply(ServerHttpRequest request) {
		if (!hasForwardedHeaders(request)) {
			return request;
		}
		InetSocketAddress peer = request.getRemoteAddress();
		if (peer == null || peer.getAddress() == null || !trusted(peer.getAddress())) {
			// Dropped, but not forgotten: a proxy on this host forwarding outside traffic still connects from loopback,
			// and the simulator must not take such a request for Reelay's own call.
			return this.remover.apply(request).mutate().header(UNTRUSTED_FORWARDING, "dropped").build();
		}
		InetAddress client = client(request.getHeaders(), peer.getAddress());
		return super.apply(request).mutate().remoteAddress(new InetSocketAddress(client, 0)).build();
	}

	boolean trusted(InetAddress address) {
		for (InetAddressMatcher proxy : this.proxies) {
			if (proxy.matches(address)) {
				return true;
			}
		}
		return false;
	}

	/** From the peer leftwards through the hops the proxies appended, up to the first that is not a proxy. */
	private InetAddress client(HttpHeaders headers, InetAddress peer) {
		List<String> hops = hops(headers);
		InetAddress client = peer;
		for (int i = hops.size() - 1; i >= 0; i--) {
			InetAddress hop = literal(hops.get(i));
			if (hop == null) {
				break;
			}
			client = hop;
			if (!trusted(hop)) {
				break;
			}
		}
		return client;
	}

	private static List<String> hops(HttpHeaders headers) {
		List<String> hops = new ArrayList<>();
		List<String> forwarded = headers.getValuesAsList("Forwarded");
		if (!forwarded.isEmpty()) {
			for (String value : forwarded) {
				for (String element : value.split(",")) {
					Matcher matcher = FORWARDED_FOR.matcher(element.strip());
					hops.add(matcher.find() ? matcher.group(1) : "");
				}
			}
			return hops;
		}
		for (String value : headers.getValuesAsList("X-Forwarded-For")) {
			hops.add(value);
		}
		return hops;
	}

	/** An address as proxies write it ({@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code "[2001:db8::1]:4711"}). */
	static @Nullable InetAddress literal(String hop) {
		String value = hop.strip();
		if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
			value = value.substring(1, value.length() - 1);
		}
		if (value.startsWith("[")) {
			int end = value.indexOf(']');
			value = (end > 0) ? value.substring(1, end) : "";
		}
		else if (value.indexOf(':') > 0 && value.indexOf(':') == value.lastIndexOf(':')) {
			value = value.substring(0, value.indexOf(':'));
		}
		boolean ipv4 = IPV4.matcher(value).matches();
		if (!ipv4 && !(value.contains(":") && value.matches("[0-9a-fA-F:.]+"))) {
			return null;
		}
		if (ipv4) {
			for (String octet : value.split("\\.")) {
				if (Integer.parseInt(octet) > 255) {
					return null;
				}
			}
		}
		try {
			// Only literals reach here: never a DNS lookup.
			return InetAddress.getByName(value);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

}
