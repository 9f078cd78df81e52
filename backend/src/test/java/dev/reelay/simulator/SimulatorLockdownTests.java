package dev.reelay.simulator;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Only this Reelay may call its simulator: from a loopback address, not through a proxy, with the key it made at
 * start. Everyone else is refused before anything is read or written, and one project never sees another's videos.
 */
class SimulatorLockdownTests extends SimulatorTestSupport {

	@Autowired
	SimulatorLedger ledger;

	@Test
	void theKeyIsMadeAtStartAndIsNotTheShippedPlaceholder() {
		assertThat(this.access.key()).startsWith("sk-reelay-simulator-").hasSizeGreaterThan(40)
			.isNotEqualTo(SimulatorAccess.KEY_PLACEHOLDER);
		assertThat(this.access.toString()).doesNotContain(this.access.key());
	}

	@Test
	void callersWithoutTheKeyAreRefusedAndWriteNothing() {
		String prompt = "Refused " + UUID.randomUUID();
		String existing = createVideo("Someone's private prompt");
		// No key, another scheme, an empty bearer, the key the simulator used to take from anyone, a near miss.
		List<Optional<String>> authorizations = List.of(Optional.empty(), Optional.of("Basic dXNlcjpwYXNz"),
				Optional.of("Bearer "), Optional.of("Bearer " + SimulatorAccess.KEY_PLACEHOLDER),
				Optional.of("Bearer sk-test-" + UUID.randomUUID()), Optional.of("Bearer " + this.access.key() + "x"));
		for (Optional<String> authorization : authorizations) {
			WebTestClient caller = WebTestClient.bindToServer()
				.baseUrl("http://127.0.0.1:" + this.port + this.settings.path())
				.defaultHeaders((headers) -> {
					authorization.ifPresent((value) -> headers.set(HttpHeaders.AUTHORIZATION, value));
					headers.set(SimulatorFilter.PROJECT_HEADER, this.project);
				})
				.responseTimeout(Duration.ofSeconds(30))
				.build();
			assertRefused(caller.post().uri("/videos").contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"prompt\": \"" + prompt + "\"}").exchange(), HttpStatus.UNAUTHORIZED, "invalid_api_key");
			assertRefused(caller.get().uri("/videos").exchange(), HttpStatus.UNAUTHORIZED, "invalid_api_key");
			assertRefused(caller.get().uri("/videos/{id}", existing).exchange(), HttpStatus.UNAUTHORIZED,
					"invalid_api_key");
			assertRefused(caller.get().uri("/videos/{id}/content", existing).exchange(), HttpStatus.UNAUTHORIZED,
					"invalid_api_key");
			assertRefused(caller.delete().uri("/videos/{id}", existing).exchange(), HttpStatus.UNAUTHORIZED,
					"invalid_api_key");
		}

		StepVerifier.create(this.ledger.createsWithPrompt(prompt)).expectNext(0L).verifyComplete();
		assertThat(retrieve(existing).get("id").stringValue()).isEqualTo(existing);
	}

	@Test
	void theRightKeyFromANonLoopbackAddressIsRefusedAndWritesNothing() throws SocketException {
		InetAddress external = nonLoopbackAddress();
		assumeTrue(external != null, "this machine has no non-loopback IPv4 address to connect from");
		String prompt = "From outside " + UUID.randomUUID();
		// Connecting to this machine's own network address makes the server see that address as the caller's.
		WebTestClient outside = this.client.mutate()
			.baseUrl("http://" + external.getHostAddress() + ":" + this.port + this.settings.path())
			// A loopback name, so that local mode's Host check lets it by and the simulator's own check is tested.
			.defaultHeader(HttpHeaders.HOST, "localhost:" + this.port)
			.build();

		assertRefused(outside.post().uri("/videos").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"prompt\": \"" + prompt + "\"}").exchange(), HttpStatus.FORBIDDEN, null);
		assertRefused(outside.get().uri("/videos").exchange(), HttpStatus.FORBIDDEN, null);

		StepVerifier.create(this.ledger.createsWithPrompt(prompt)).expectNext(0L).verifyComplete();
	}

	@Test
	void aRequestThroughAProxyOnThisHostIsRefusedAndWritesNothing() {
		String prompt = "Proxied " + UUID.randomUUID();
		for (String header : List.of("Forwarded", "X-Forwarded-For", "X-Real-IP")) {
			assertRefused(this.client.post().uri("/videos").header(header, "203.0.113.7")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"prompt\": \"" + prompt + "\"}").exchange(), HttpStatus.FORBIDDEN, null);
		}

		StepVerifier.create(this.ledger.createsWithPrompt(prompt)).expectNext(0L).verifyComplete();
	}

	@Test
	void oneProjectNeverSeesAnothersVideos() {
		String mine = completedVideo("Mine " + this.project);
		String myProject = this.project;
		WebTestClient me = this.client;
		newProject();
		String theirs = completedVideo("Theirs " + this.project);
		WebTestClient them = this.client;

		assertThat(listedIds(them)).containsExactly(theirs);
		assertThat(listedIds(me)).containsExactly(mine);
		for (WebTestClient other : List.of(me, them)) {
			String notOwn = (other == me) ? theirs : mine;
			assertRefused(other.get().uri("/videos/{id}", notOwn).exchange(), HttpStatus.NOT_FOUND, null);
			assertRefused(other.get().uri("/videos/{id}/content", notOwn).exchange(), HttpStatus.NOT_FOUND, null);
			assertRefused(other.delete().uri("/videos/{id}", notOwn).exchange(), HttpStatus.NOT_FOUND, null);
			assertRefused(other.post().uri("/videos/{id}/remix", notOwn).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"prompt\": \"steal\"}").exchange(), HttpStatus.NOT_FOUND, null);
		}
		// Nothing was deleted or remixed across the line.
		assertThat(listedIds(me)).containsExactly(mine);
		assertThat(listedIds(them)).containsExactly(theirs);
		StepVerifier.create(this.ledger.createsIn(myProject)).expectNext(1L).verifyComplete();
		StepVerifier.create(this.ledger.createsIn(this.project)).expectNext(1L).verifyComplete();
	}

	private String completedVideo(String prompt) {
		String id = createVideo(prompt);
		this.clock.advance(Duration.ofSeconds(20));
		assertThat(retrieve(id).get("status").stringValue()).isEqualTo("completed");
		return id;
	}

	private static List<String> listedIds(WebTestClient client) {
		JsonNode list = client.get().uri("/videos?limit=100").exchange().expectStatus().isOk()
			.expectBody(JsonNode.class).returnResult().getResponseBody();
		List<String> ids = new ArrayList<>();
		list.get("data").forEach((video) -> ids.add(video.get("id").stringValue()));
		return ids;
	}

	private static void assertRefused(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
		JsonNode error = response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertError(error, (status == HttpStatus.FORBIDDEN) ? "request_forbidden" : "invalid_request_error", null,
				code);
	}

	private static InetAddress nonLoopbackAddress() throws SocketException {
		for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
			if (!network.isUp() || network.isLoopback()) {
				continue;
			}
			for (InetAddress address : Collections.list(network.getInetAddresses())) {
				if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
					return address;
				}
			}
		}
		return null;
	}

}
