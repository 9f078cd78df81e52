package dev.reelay.callback;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every class of non-public target is refused with the guard on, as a literal in the URL and after resolution. */
class TargetGuardTests {

	private final TargetGuard guard = new TargetGuard(settings(false, false));

	static CallbackSettings settings(boolean allowHttp, boolean allowPrivate) {
		return new CallbackSettings(true, allowHttp, allowPrivate, List.of(Duration.ZERO, Duration.ofMillis(300)), 4,
				Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
				DataSize.ofKilobytes(1), 10_000, 1000, Duration.ofSeconds(5), Duration.ofHours(24), null);
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "127.255.0.9", "::1", // loopback
			"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", // RFC 1918
			"100.64.0.1", "100.127.255.254", // carrier-grade NAT
			"169.254.169.254", "169.254.0.1", "fe80::1", // link-local, cloud metadata
			"fc00::1", "fd00:ec2::254", // unique-local (fd00:ec2::254: the AWS IPv6 metadata address)
			"0.0.0.0", "0.1.2.3", "::", // unspecified
			"224.0.0.1", "239.255.255.250", "ff02::1", // multicast
			"255.255.255.255", "240.0.0.1", // broadcast, reserved
			"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", // IPv4 inside IPv6
			"64:ff9b::a9fe:a9fe", "2002:7f00:1::1", // NAT64 and 6to4 around metadata and loopback
			"fec0::1", "192.0.2.1", "2001:db8::1" })
	void nonPublicAddressesAreRefused(String literal) throws Exception {
		InetAddress address = InetAddress.getByName(literal);
		assertThat(TargetGuard.refusal(address)).as(literal).isNotNull();
		assertThatThrownBy(() -> this.guard.requireAllowed("host.example", List.of(address)))
			.isInstanceOf(RefusedTargetException.class)
			.hasMessageContaining("webhooks go to public addresses only");
		String host = literal.contains(":") ? "[" + literal + "]" : literal;
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("https://" + host + "/hook"))
			.withMessageContaining("public addresses only");
	}

	@ParameterizedTest
	@ValueSource(strings = { "93.184.216.34", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111" })
	void publicAddressesPass(String literal) throws Exception {
		InetAddress address = InetAddress.getByName(literal);
		assertThat(TargetGuard.refusal(address)).as(literal).isNull();
		assertThatNoException().isThrownBy(() -> this.guard.requireAllowed("host.example", List.of(address)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "metadata.google.internal", "METADATA.google.internal.", "metadata", "metadata.goog",
			"instance-data", "instance-data.ec2.internal", "kubernetes.default.svc", "db.corp.internal",
			"printer.local", "nas.home.arpa" })
	void metadataAndInternalOnlyNamesAreRefusedWithoutALookup(String host) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("https://" + host + "/hook"))
			.withMessageContaining("metadata service or an internal-only host");
	}

	@ParameterizedTest
	@ValueSource(strings = { "metadata.example.com", "internal.example.com", "hooks.example.com",
			"instance-data.example.org", "local.example.net" })
	void publicNamesThatMerelyLookAlikePass(String host) {
		assertThat(this.guard.check("https://" + host + "/hook")).isEqualTo("https://" + host + "/hook");
	}

	@Test
	void oneBadAddressAmongGoodOnesRefusesTheHost() throws Exception {
		List<InetAddress> mixed = List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.5"));
		// The message reaches the tenant's delivery log: the kind of address, never the address itself.
		assertThatThrownBy(() -> this.guard.requireAllowed("rebind.example", mixed))
			.isInstanceOf(RefusedTargetException.class)
			.hasMessageContaining("a private address")
			.hasMessageNotContaining("10.0.0.5");
		assertThatThrownBy(() -> this.guard.requireAllowed("empty.example", List.of()))
			.isInstanceOf(RefusedTargetException.class);
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://localhost/hook", "https://api.localhost/hook", "https://2130706433/hook",
			"https://0x7f.1/hook", "https://127.1/hook", "https://017700000001/hook" })
	void loopbackNamesAndOddNumericFormsAreRefused(String url) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check(url));
	}

	@Test
	void urlsMustBeAbsoluteHttpsWithoutUserInformation() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("http://hooks.example.com/x"))
			.withMessageContaining("https")
			.withMessageNotContaining("hooks.example.com");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.guard.check("https://user:s3cr3t@hooks.example.com/x"))
			.withMessageContaining("user information")
			.withMessageNotContaining("s3cr3t");
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("/relative/hook"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("ftp://hooks.example.com/x"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.guard.check("https://hooks.example.com/x y"));
		assertThat(this.guard.check(" https://hooks.example.com/x?token=abc ")).isEqualTo(
				"https://hooks.example.com/x?token=abc");
	}

	@Test
	void configurationOpensHttpAndPrivateAddressesForLocalUse() throws Exception {
		TargetGuard local = new TargetGuard(settings(true, true));
		assertThat(local.check("http://127.0.0.1:8080/hook")).isEqualTo("http://127.0.0.1:8080/hook");
		assertThatNoException()
			.isThrownBy(() -> local.requireAllowed("localhost", List.of(InetAddress.getByName("127.0.0.1"))));
		TargetGuard httpOnly = new TargetGuard(settings(true, false));
		assertThatIllegalArgumentException().isThrownBy(() -> httpOnly.check("http://127.0.0.1:8080/hook"));
	}

}
