package dev.reelay.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What a user checking that parameters get through sees: a job asked for with a length, aspect ratio and resolution
 * goes through the dispatcher and the simulator, and the stored video plays in Chromium with that duration and
 * picture size (the sizes are the OpenAI Videos API's for each aspect ratio and resolution).
 */
@DirtiesContext
@ActiveProfiles("clips")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=1s", "reelay.dispatch.tick=100ms" })
class SimulatorClipBrowserTests {

	private static final Duration JOB_DONE = Duration.ofSeconds(90);

	private static final Duration QUICK = Duration.ofSeconds(20);

	@RegisterExtension
	static final Browser browser = new Browser();

	@LocalServerPort
	private int port;

	@ParameterizedTest(name = "{0} s at {1} {2}")
	@CsvSource({ "4, 16:9, 720p, 1280, 720", "8, 9:16, 1080p, 1024, 1792", "12, 16:9, 1080p, 1792, 1024" })
	void theVideoHasTheAskedLengthAndSize(int seconds, String ratio, String resolution, int width, int height) {
		String id = submit(seconds, ratio, resolution);
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Mono.defer(() -> http.get().uri("/api/v1/jobs/{id}", id).retrieve().bodyToMono(Map.class))
			.filter((job) -> "completed".equals(job.get("status")))
			.repeatWhenEmpty((empty) -> empty.delayElements(Duration.ofMillis(200)))
			.block(JOB_DONE);

		browser.driver().get("http://localhost:" + this.port + "/no-such-page");
		Map<?, ?> played = (Map<?, ?>) browser.driver().executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				const video = document.createElement('video');
				video.muted = true;
				video.onerror = () => done({ error: String(video.error && video.error.message) });
				video.onloadeddata = async () => {
				  await video.play();
				  video.ontimeupdate = () => {
				    if (video.currentTime < 0.3) return;
				    video.ontimeupdate = null;
				    const canvas = document.createElement('canvas');
				    canvas.width = video.videoWidth;
				    canvas.height = video.videoHeight;
				    const context = canvas.getContext('2d');
				    context.drawImage(video, 0, 0);
				    done({ duration: video.duration, width: video.videoWidth, height: video.videoHeight,
				      frames: video.getVideoPlaybackQuality().totalVideoFrames,
				      topLeft: context.getImageData(4, 4, 1, 1).data[0],
				      bottomLeft: context.getImageData(4, video.videoHeight - 4, 1, 1).data[0] });
				  };
				};
				document.body.append(video);
				video.src = arguments[0];
				""", "/api/v1/jobs/" + id + "/content");

		assertThat(played.get("error")).as("playback error").isNull();
		assertThat(((Number) played.get("duration")).doubleValue()).isCloseTo(seconds, within(0.05));
		assertThat(((Number) played.get("width")).intValue()).isEqualTo(width);
		assertThat(((Number) played.get("height")).intValue()).isEqualTo(height);
		assertThat(((Number) played.get("frames")).intValue()).as("frames decoded").isPositive();
		// The pattern as decoded: a light bar top left, the dark background bottom left.
		assertThat(((Number) played.get("topLeft")).intValue()).isGreaterThan(200);
		assertThat(((Number) played.get("bottomLeft")).intValue()).isLessThan(40);
	}

	private String submit(int seconds, String ratio, String resolution) {
		Map<String, Object> job = WebClient.create("http://127.0.0.1:" + this.port)
			.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", "Clip of " + seconds + " s at " + ratio + " " + resolution, "model",
					"clips-video", "duration_seconds", seconds, "aspect_ratio", ratio, "resolution", resolution))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(QUICK);
		assertThat(job).isNotNull();
		return (String) job.get("id");
	}

}
