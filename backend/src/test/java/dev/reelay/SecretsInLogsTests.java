package dev.reelay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reelay.storage.S3StandIn;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every other test class and reads everything the application logged during the run: no API key,
 * admin key, provider key, bearer token or webhook secret may appear in it. The patterns are the shapes Reelay's own
 * secrets take and the shapes the tests give to provider keys, so a secret logged anywhere in any test is caught.
 */
@Order(Integer.MAX_VALUE)
class SecretsInLogsTests {

	/** What each kind of secret looks like; the name says what was found, never the secret itself. */
	static final Map<String, Pattern> SECRETS = Map.of(
			"a Standard Webhooks secret", Pattern.compile("whsec_[A-Za-z0-9+/=]{16,}"),
			"a Reelay API key", Pattern.compile("rly_[A-Za-z0-9_-]{20,}"),
			"a bearer token", Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]{8,}"),
			"an OpenAI-style provider key", Pattern.compile("\\bsk-[A-Za-z0-9_-]{8,}"),
			"a key given to a provider instance in a test", Pattern.compile("api-key=\\S+"),
			"an S3 storage key", Pattern.compile("(?:access|secret)-key=\\S+|" + S3StandIn.SECRET_KEY),
			"a private key (a service-account key, say)", Pattern.compile("PRIVATE KEY-----"),
			"a Google access token", Pattern.compile("\\bya29\\.[A-Za-z0-9._-]{4,}"),
			"a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{10,}"));

	@Test
	void noSecretWasLoggedDuringTheRun() throws IOException {
		assertThat(FreshTestLog.FILE).as("the run's log file").exists();
		List<String> lines = Files.readAllLines(FreshTestLog.FILE, StandardCharsets.UTF_8);
		assertThat(lines).as("the scan must see the application's own log lines, or it proves nothing")
			.anyMatch((line) -> line.contains("dev.reelay."));
		List<String> found = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			for (Map.Entry<String, Pattern> secret : SECRETS.entrySet()) {
				Matcher matcher = secret.getValue().matcher(lines.get(i));
				if (matcher.find()) {
					found.add("line " + (i + 1) + ": " + secret.getKey() + " at column " + matcher.start());
				}
			}
		}
		assertThat(found).as("secrets in %s", FreshTestLog.FILE).isEmpty();
	}

	@Test
	void thePatternsRecogniseEachKindOfSecret() {
		assertThat(matches("signing with whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).contains("a Standard Webhooks secret");
		assertThat(matches("Authorization: Bearer rly_4f9a0c1b2d3e4f5a6b7c")).contains("a bearer token");
		assertThat(matches("calling with sk-test-0a1b2c3d-4e5f")).contains("an OpenAI-style provider key");
		assertThat(matches("key=rly_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4")).contains("a Reelay API key");
		assertThat(matches("signing as " + S3StandIn.SECRET_KEY)).contains("an S3 storage key");
		assertThat(matches("key: -----BEGIN PRIVATE KEY-----")).contains("a private key (a service-account key, say)");
		assertThat(matches("token ya29.a0AfB_byC")).contains("a Google access token");
		assertThat(matches("x-goog-api-key: AIzaSyD-0123456789abc")).contains("a Google API key");
		assertThat(matches("job 1 queued model=sim-video provider=simulator")).isEmpty();
	}

	private static List<String> matches(String line) {
		return SECRETS.entrySet().stream().filter((secret) -> secret.getValue().matcher(line).find()).map(Map.Entry::getKey).toList();
	}

}
