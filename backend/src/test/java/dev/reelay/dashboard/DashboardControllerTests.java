package dev.reelay.dashboard;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.catalog.ProviderStates;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;

/** The providers panel and the activity chart's data, from configuration and the job statistics. */
@WebFluxTest(controllers = { ProviderController.class, ActivityController.class }, properties = {
		"reelay.providers.instances.simulator.family=openai-videos",
		"reelay.providers.instances.simulator.base-url=", "reelay.providers.instances.simulator.poll-interval=1s",
		"reelay.providers.instances.simulator.api-key=simulator",
		"reelay.providers.instances.openai.family=openai-videos",
		"reelay.providers.instances.openai.base-url=https://api.openai.example/v1",
		"reelay.providers.instances.old.family=openai-videos", "reelay.providers.instances.old.api-key=k",
		"reelay.providers.instances.old.base-url=https://old.example/v1",
		"reelay.providers.instances.off.family=openai-videos", "reelay.providers.instances.off.api-key=k",
		"reelay.providers.instances.off.base-url=https://off.example/v1",
		"reelay.providers.instances.off.enabled=false" })
@EnableConfigurationProperties({ DashboardSettings.class, ProviderSettings.class })
@Import({ ProviderStates.class, dev.reelay.provider.InstanceBreakers.class })
class DashboardControllerTests {

	private static final ModelSpec RETIRED = new ModelSpec("sora-2", "Sora 2", "old", "sora-2", null, List.of(4),
			List.of("16:9"), List.of("720p"), Map.of(), List.of(), false, false, false, 100, null,
			LocalDate.of(2026, 9, 24), null);

	private static final ModelSpec SIM = new ModelSpec("sim-video", "Simulator", "simulator", "sora-2", null,
			List.of(4), List.of("16:9"), List.of("720p"), Map.of(), List.of(), false, false, false, 100, null, null,
			null);

	@Autowired
	private WebTestClient http;

	@MockitoBean
	private JobStatistics statistics;

	@MockitoBean
	private ModelCatalog catalog;

	// Answers "no objection" (an empty reason) for every instance: the states here come from configuration.
	@MockitoBean
	private ProviderInstances providers;

	@BeforeEach
	void providersAndModels() {
		given(this.catalog.all()).willReturn(List.of(SIM, RETIRED));
		given(this.statistics.loadByProvider(CallerTenant.LOCAL))
			.willReturn(Flux.just(new JobStatistics.ProviderLoad("simulator", 3, 2)));
		given(this.statistics.rateLimitedSince(eq(CallerTenant.LOCAL), any()))
			.willReturn(Flux.just(new JobStatistics.ProviderRateLimits("simulator", 5)));
	}

	@Test
	void eachInstanceSaysWhetherItTakesJobsAndHowBusyItIs() {
		this.http.get()
			.uri("/api/v1/providers")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.rate_limit_window_minutes").isEqualTo(15)
			.jsonPath("$.data[?(@.name == 'simulator')].state").isEqualTo("enabled")
			.jsonPath("$.data[?(@.name == 'simulator')].simulator").isEqualTo(true)
			.jsonPath("$.data[?(@.name == 'simulator')].queued").isEqualTo(3)
			.jsonPath("$.data[?(@.name == 'simulator')].in_flight").isEqualTo(2)
			.jsonPath("$.data[?(@.name == 'simulator')].rate_limited_recently").isEqualTo(5)
			.jsonPath("$.data[?(@.name == 'simulator')].limits.poll_interval_ms").isEqualTo(1000)
			.jsonPath("$.data[?(@.name == 'simulator')].models[0]").isEqualTo("sim-video")
			.jsonPath("$.data[?(@.name == 'openai')].state").isEqualTo("disabled")
			.jsonPath("$.data[?(@.name == 'openai')].state_reason").isEqualTo("no API key (REELAY_PROVIDERS_INSTANCES_OPENAI_API_KEY)")
			.jsonPath("$.data[?(@.name == 'openai')].in_flight").isEqualTo(0)
			.jsonPath("$.data[?(@.name == 'old')].state").isEqualTo("retired")
			.jsonPath("$.data[?(@.name == 'off')].state").isEqualTo("disabled")
			.jsonPath("$.data[?(@.name == 'off')].state_reason").isEqualTo("turned off in configuration (enabled: false)");
	}

	@Test
	void activityHasEveryBucketWithCountsWhereJobsWereCreated() {
		given(this.statistics.createdSince(eq(CallerTenant.LOCAL), any(), any())).willAnswer((call) -> {
			Instant from = call.getArgument(1);
			return Flux.just(new JobStatistics.StatusCount(from, JobStatus.COMPLETED, 4),
					new JobStatistics.StatusCount(from, JobStatus.FAILED, 1));
		});
		this.http.get()
			.uri("/api/v1/activity?minutes=60")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.bucket_seconds").isEqualTo(120)
			.jsonPath("$.buckets.length()").isEqualTo(30)
			.jsonPath("$.buckets[0].counts.completed").isEqualTo(4)
			.jsonPath("$.buckets[0].counts.failed").isEqualTo(1)
			.jsonPath("$.buckets[0].counts.queued").isEqualTo(0)
			.jsonPath("$.buckets[29].counts.completed").isEqualTo(0)
			.jsonPath("$.buckets[0].start").value((String start) -> assertThat(Instant.parse(start).getEpochSecond() % 120).isZero());
	}

	@Test
	void anActivityWindowOutOfRangeNamesTheParameter() {
		for (String minutes : List.of("0", "1441")) {
			this.http.get()
				.uri("/api/v1/activity?minutes=" + minutes)
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.field").isEqualTo("minutes");
		}
		this.http.get().uri("/api/v1/activity?minutes=soon").exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("minutes");
	}

}
