package dev.reelay.provider.taskapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.StandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Reading task API files: what ships, what an operator adds or replaces, and files that must stop startup. */
class TaskApiSpecsTests {

	@TempDir
	Path directory;

	@Test
	void everyBundledFileReads() {
		assertThat(TaskApiSpecs.load(new TaskApiSettings(null)).names()).containsExactly("dashscope", "kling", "luma",
				"minimax", "minimax-v1", "modelark", "openrouter");
	}

	@Test
	void anOperatorsFileIsAddedAndOneNamedLikeABundledFileReplacesIt() throws IOException {
		Files.writeString(this.directory.resolve("luma.yaml"), minimal("https://dream.example/v1"));
		Files.writeString(this.directory.resolve("mine.yaml"), minimal("https://mine.example"));
		Files.writeString(this.directory.resolve("notes.txt"), "not a task API");
		TaskApiSpecs specs = TaskApiSpecs.load(new TaskApiSettings(this.directory.toString()));
		assertThat(specs.names()).contains("mine", "luma").doesNotContain("notes");
		assertThat(specs.get("luma").orElseThrow().baseUrl()).isEqualTo("https://dream.example/v1");
	}

	@Test
	void aBrokenFileStopsStartupNamingTheFileAndSetting() throws IOException {
		expectBroken(minimal("https://x.example").replace("    state: phase\n", ""), "status.state is required");
		expectBroken(minimal("https://x.example").replace("DONE: completed", "DONE: finished"), "status.states");
		expectBroken(minimal("https://x.example").replace("{{prompt}}", "{{promt}}"), "{{promt}}");
		expectBroken(minimal("https://x.example").replace("{{prompt}}", "{{prompt|shout}}"), "|shout");
		expectBroken(minimal("https://x.example").replace("\"text\": \"{{prompt}}\" }", "\"text\": "), "not JSON");
		expectBroken(minimal("https://x.example").replace("    url: files.0\n", ""), "result needs a url");
		assertThatIllegalStateException()
			.isThrownBy(() -> TaskApiSpecs.load(new TaskApiSettings(this.directory.resolve("absent").toString())))
			.withMessageContaining("not a directory");
	}

	private void expectBroken(String yaml, String words) throws IOException {
		Path file = this.directory.resolve("broken.yaml");
		Files.writeString(file, yaml);
		assertThatIllegalStateException().isThrownBy(() -> TaskApiSpecs.load(new TaskApiSettings(this.directory.toString())))
			.satisfies((error) -> assertThat(error.getMessage() + " " + error.getCause()).contains(words));
		Files.delete(file);
	}

	@Test
	void missingFilesAndSecretsAreNamedAndTheInstanceIsNotBuilt() {
		TaskApiFamily family = new TaskApiFamily(StandIn.webClients(), TaskApiSpecs.load(new TaskApiSettings(null)),
				new MockEnvironment(), Clock.systemUTC());
		assertThat(family.unavailableReason(instance(Map.of("api", "kling")))).hasValueSatisfying(
				(reason) -> assertThat(reason).contains("KLING_SECRET_KEY"));
		assertThat(family.unavailableReason(instance(Map.of("api", "nowhere")))).hasValueSatisfying(
				(reason) -> assertThat(reason).contains("nowhere.yaml"));
		assertThat(family.unavailableReason(instance(Map.of("api", "luma")))).isEmpty();
		// Kling's plain API key (unconfirmed) needs no secret key.
		assertThat(family.unavailableReason(instance(Map.of("api", "kling", "auth-scheme", "bearer")))).isEmpty();
		assertThatIllegalStateException().isThrownBy(() -> family.create("somewhere", instance(Map.of())))
			.withMessageContaining("task-apis/somewhere.yaml");
	}

	private static ProviderSettings.Instance instance(Map<String, String> options) {
		return StandIn.settings("task-api", "", List.of(), options);
	}

	@Test
	void templatesLeaveOutWhatAJobDoesNotHave() {
		BodyTemplate template = BodyTemplate.parse("""
				{ "a": "{{prompt}}", "n": "{{seed}}", "s": "{{duration|string}}", "t": "{{duration}}s",
				  "u": "{{resolution|upper}}", "keep": true,
				  "items": [ { "type": "text", "text": "{{prompt}}" }, { "type": "image", "url": "{{image}}" } ],
				  "frame": { "url": "{{image_url}}" }, "only": [ "{{image}}" ] }
				""", "test");
		JsonNode body = template.render(Map.of("prompt", "hi \"there\"", "duration", 5, "resolution", "720p"));
		assertThat(body.get("a").stringValue()).isEqualTo("hi \"there\"");
		assertThat(body.has("n")).isFalse();
		assertThat(body.get("s").stringValue()).isEqualTo("5");
		assertThat(body.get("t").stringValue()).isEqualTo("5s");
		assertThat(body.get("u").stringValue()).isEqualTo("720P");
		assertThat(body.get("keep").booleanValue()).isTrue();
		assertThat(body.get("items")).hasSize(1);
		assertThat(body.has("frame")).isFalse();
		assertThat(body.has("only")).isFalse();
		JsonNode withImage = template.render(Map.of("prompt", "p", "duration", 5, "resolution", "720p", "seed", 9L,
				"image", "https://i.example/a.png"));
		assertThat(withImage.get("n").isIntegralNumber()).isTrue();
		assertThat(withImage.get("items").get(1).get("url").stringValue()).isEqualTo("https://i.example/a.png");
		assertThat(withImage.get("only").get(0).stringValue()).isEqualTo("https://i.example/a.png");
	}

	static String minimal(String baseUrl) {
		return """
				task-api:
				  base-url: %s
				  auth:
				    scheme: bearer
				  create:
				    path: /jobs
				    body: |
				      { "input": { "text": "{{prompt}}" } }
				    id: id
				  status:
				    path: /jobs/{id}
				    state: phase
				    states:
				      DONE: completed
				  result:
				    url: files.0
				""".formatted(baseUrl);
	}

}
