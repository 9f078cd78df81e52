package dev.reelay.job.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.Job;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.storage.VideoStorage;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

/** The job API's answers to bad input: a problem naming the field, and nothing stored. */
@WebFluxTest(controllers = JobController.class)
@Import({ JobRequestValidator.class, JobSubmissions.class, dev.reelay.support.DrainedMultipart.class, dev.reelay.catalog.RouteChoice.class, dev.reelay.provider.InstanceBreakers.class })
@EnableConfigurationProperties(JobInputSettings.class)
class JobControllerTests {

	private static final ModelSpec SIM = new ModelSpec("sim-video", "Simulator", "simulator", "sora-2", null,
			List.of(4, 8, 12), List.of("16:9", "9:16"), List.of("720p"), Map.of(), List.of(), false, false, false,
			100, null, null, null);

	@Autowired
	private WebTestClient http;

	@MockitoBean
	private JobStore jobs;

	@MockitoBean
	private VideoStorage storage;

	@MockitoBean
	private ModelCatalog catalog;

	@MockitoBean
	private ProviderInstances providers;

	@BeforeEach
	void catalogHasTheSimulator() {
		given(this.catalog.defaultModel()).willReturn("sim-video");
		given(this.catalog.find("sim-video")).willReturn(Optional.of(SIM));
		given(this.catalog.find("nope")).willReturn(Optional.empty());
		given(this.providers.isAvailable("simulator")).willReturn(true);
		// The real lookup of the caller's tenant, reaching the stubbed find(tenant, id) below.
		given(this.jobs.findForCaller(any())).willCallRealMethod();
	}

	@Test
	void acceptsAValidJobWithLocation() {
		given(this.jobs.create(any(), any())).willAnswer((call) -> {
			NewJob request = call.getArgument(0);
			Instant now = Instant.now();
			return Mono.just(new JobStore.Submission(java.util.List.of(new Job(UUID.randomUUID(), request.tenantId(), JobStatus.QUEUED, 0, request.model(), request.provider(),
					request.prompt(), request.parameters(), request.priority(), request.notBefore(), null, null, null,
					null, null, 0, now, null, null, null, now, now, null, 1, null, 0)), false));
		});
		this.http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"prompt\":\"a cat\",\"duration_seconds\":8}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueMatches("Location", "/api/v1/jobs/[0-9a-f-]{36}")
			.expectBody()
			.jsonPath("$.status").isEqualTo("queued")
			.jsonPath("$.model").isEqualTo("sim-video")
			.jsonPath("$.parameters.duration_seconds").isEqualTo(8)
			.jsonPath("$.parameters.aspect_ratio").isEqualTo("16:9")
			.jsonPath("$.links.events").value((String link) -> assertThat(link).endsWith("/events"));
	}

	@Test
	void priorityOutsideTheRangeNamesTheField() {
		expectProblem("{\"prompt\":\"a cat\",\"priority\":500}", "priority")
			.jsonPath("$.detail").isEqualTo("priority must be between -100 and 100 (higher runs first); got 500");
	}

	@Test
	void unsupportedDurationNamesTheFieldAndTheChoices() {
		expectProblem("{\"prompt\":\"a cat\",\"duration_seconds\":5}", "duration_seconds")
			.jsonPath("$.detail").isEqualTo("sim-video supports durations 4, 8, 12; got 5");
	}

	@Test
	void unknownFieldIsRejectedByName() {
		expectProblem("{\"prompt\":\"a cat\",\"colour\":\"red\"}", "colour")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("Unknown field 'colour'"));
	}

	@Test
	void wrongTypeNamesTheField() {
		expectProblem("{\"prompt\":\"a cat\",\"duration_seconds\":\"long\"}", "duration_seconds");
	}

	@Test
	void missingPromptIsRequired() {
		expectProblem("{\"duration_seconds\":4}", "prompt").jsonPath("$.detail").isEqualTo("prompt is required");
	}

	@Test
	void tooLongPromptSaysTheLimit() {
		expectProblem("{\"prompt\":\"" + "x".repeat(101) + "\"}", "prompt").jsonPath("$.detail")
			.value((String detail) -> assertThat(detail).contains("at most 100"));
	}

	@Test
	void unknownModelPointsAtTheCatalog() {
		expectProblem("{\"prompt\":\"a cat\",\"model\":\"nope\"}", "model").jsonPath("$.detail")
			.value((String detail) -> assertThat(detail).contains("GET /api/v1/models"));
	}

	@Test
	void malformedJsonIsAProblemNotAServerError() {
		this.http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"prompt\": ")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		then(this.jobs).should(never()).create(any(), any());
	}

	@Test
	void badJobIdIsAProblemNamingTheId() {
		this.http.get()
			.uri("/api/v1/jobs/not-a-uuid")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.field").isEqualTo("id");
	}

	@Test
	void unknownJobIsNotFound() {
		UUID id = UUID.randomUUID();
		given(this.jobs.find(CallerTenant.LOCAL, id)).willReturn(Mono.error(new JobNotFoundException(id)));
		this.http.get()
			.uri("/api/v1/jobs/{id}", id)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void pageSizeOutOfRangeNamesLimit() {
		this.http.get()
			.uri("/api/v1/jobs?limit=500")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.BAD_REQUEST)
			.expectBody()
			.jsonPath("$.field").isEqualTo("limit");
	}

	@Test
	void unknownStatusFilterNamesStatus() {
		this.http.get()
			.uri("/api/v1/jobs?status=done")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.field").isEqualTo("status");
	}

	private WebTestClient.BodyContentSpec expectProblem(String body, String field) {
		WebTestClient.BodyContentSpec spec = this.http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.field").isEqualTo(field)
			.jsonPath("$.errors[0].field").isEqualTo(field);
		then(this.jobs).should(never()).create(any(), any());
		return spec;
	}

}
