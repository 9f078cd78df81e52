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
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

/** Retry makes a new job from an ended one's request, checked against today's catalog. */
@WebFluxTest(controllers = JobRetryController.class)
@Import({ JobRequestValidator.class, JobSubmissions.class, dev.reelay.catalog.RouteChoice.class, dev.reelay.provider.InstanceBreakers.class })
class JobRetryControllerTests {

	private static final ModelSpec SIM = new ModelSpec("sim-video", "Simulator", "simulator", "sora-2", null,
			List.of(4, 8, 12), List.of("16:9", "9:16"), List.of("720p"), Map.of(), List.of(), false, false, false,
			100, null, null, null);

	private static final ModelSpec REMIXER = new ModelSpec("sim-remix", "Simulator remix", "simulator", "sora-2",
			null, List.of(4, 8, 12), List.of("16:9", "9:16"), List.of("720p"), Map.of(), List.of(), false, true, false,
			100, null, null, null);

	private static final JobParameters PARAMETERS = new JobParameters(8, "9:16", "720p", "blur", 42L);

	@Autowired
	private WebTestClient http;

	@MockitoBean
	private JobStore jobs;

	@MockitoBean
	private ModelCatalog catalog;

	@MockitoBean
	private ProviderInstances providers;

	@BeforeEach
	void catalogHasTheSimulator() {
		given(this.catalog.defaultModel()).willReturn("sim-video");
		given(this.catalog.find("sim-video")).willReturn(Optional.of(SIM));
		given(this.catalog.find("sim-remix")).willReturn(Optional.of(REMIXER));
		given(this.providers.isAvailable("simulator")).willReturn(true);
		// The real lookup of the caller's tenant, reaching the stubbed find(tenant, id) below.
		given(this.jobs.findForCaller(any())).willCallRealMethod();
		given(this.jobs.create(any())).willAnswer((call) -> Mono.just(job(UUID.randomUUID(), JobStatus.QUEUED,
				call.getArgument(0, NewJob.class).parameters(), call.getArgument(0, NewJob.class).priority())));
	}

	@Test
	void aFailedJobIsSubmittedAgainAsANewJobWithTheSameRequest() {
		UUID failed = UUID.randomUUID();
		given(this.jobs.find(CallerTenant.LOCAL, failed)).willReturn(Mono.just(job(failed, JobStatus.FAILED, PARAMETERS, 10)));
		this.http.post()
			.uri("/api/v1/jobs/{id}/retry", failed)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueMatches("Location", "/api/v1/jobs/[0-9a-f-]{36}")
			.expectBody()
			.jsonPath("$.id").value((String id) -> assertThat(id).isNotEqualTo(failed.toString()))
			.jsonPath("$.status").isEqualTo("queued")
			.jsonPath("$.priority").isEqualTo(10);
		ArgumentCaptor<NewJob> created = ArgumentCaptor.forClass(NewJob.class);
		then(this.jobs).should().create(created.capture());
		assertThat(created.getValue().prompt()).isEqualTo("a retried cat");
		assertThat(created.getValue().parameters()).isEqualTo(PARAMETERS);
		assertThat(created.getValue().priority()).isEqualTo(10);
	}

	@Test
	void aCompletedJobIsNotRetried() {
		UUID done = UUID.randomUUID();
		given(this.jobs.find(CallerTenant.LOCAL, done)).willReturn(Mono.just(job(done, JobStatus.COMPLETED, PARAMETERS, 0)));
		this.http.post()
			.uri("/api/v1/jobs/{id}/retry", done)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		then(this.jobs).should(never()).create(any());
	}

	@Test
	void aJobWhoseModelIsGoneGetsAProblemNamingTheModel() {
		UUID old = UUID.randomUUID();
		given(this.jobs.find(CallerTenant.LOCAL, old)).willReturn(Mono.just(job(old, JobStatus.CANCELED, PARAMETERS, 0)));
		given(this.catalog.find("sim-video")).willReturn(Optional.empty());
		this.http.post()
			.uri("/api/v1/jobs/{id}/retry", old)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.field").isEqualTo("model");
		then(this.jobs).should(never()).create(any());
	}

	@Test
	void aRetriedRemixWhoseSourceIsGoneGetsAProblemNamingRemixOf() {
		UUID source = UUID.randomUUID();
		UUID failed = failedRemixOf(source);
		given(this.jobs.find(CallerTenant.LOCAL, source)).willReturn(Mono.error(new JobNotFoundException(source)));
		retryRefusedOnRemixOf(failed, "no job with id " + source + " to remix");
	}

	@Test
	void aRetriedRemixGoesToTheRouteThatMadeItsSource() {
		UUID source = UUID.randomUUID();
		UUID failed = failedRemixOf(source);
		madeThrough(source, "simulator-b", REMIXES);
		this.http.post().uri("/api/v1/jobs/{id}/retry", failed).exchange().expectStatus().isAccepted();
		ArgumentCaptor<NewJob> created = ArgumentCaptor.forClass(NewJob.class);
		then(this.jobs).should().create(created.capture());
		assertThat(created.getValue().parameters().remixOf()).isEqualTo(source);
		assertThat(created.getValue().provider()).isEqualTo("simulator-b");
	}

	@Test
	void aRemixWhoseSourceWasMadeThroughAFamilyThatCannotRemixGetsAProblemNamingRemixOf() {
		UUID source = UUID.randomUUID();
		UUID failed = failedRemixOf(source);
		// The model offers remix (the catalog says so), but this source came through a route whose family cannot.
		madeThrough(source, "no-remix", FamilyTraits.PLAIN);
		retryRefusedOnRemixOf(failed, "job " + source + " was made through 'no-remix', which cannot remix videos");
	}

	/** A family that remixes, as OpenAI's does. */
	private static final FamilyTraits REMIXES = new FamilyTraits(java.util.Set.of(), true, false, false,
			FamilyTraits.FailedBilling.FULL);

	/** A failed remix of {@code source}, found by its id (answered). */
	private UUID failedRemixOf(UUID source) {
		UUID failed = UUID.randomUUID();
		Instant now = Instant.now();
		given(this.jobs.find(CallerTenant.LOCAL, failed)).willReturn(Mono.just(new Job(failed, CallerTenant.LOCAL,
				JobStatus.FAILED, 0, "sim-remix", "simulator", "a remixed cat",
				new JobParameters(8, "9:16", "720p", null, null, null, source, null), 0, null, null, null, null, null,
				null, 0, now, null, null, null, now, now, now, 1, null, 0)));
		return failed;
	}

	/** {@code source}, a completed video made through {@code instance}, whose family has {@code traits}. */
	private void madeThrough(UUID source, String instance, FamilyTraits traits) {
		Instant now = Instant.now();
		given(this.jobs.find(CallerTenant.LOCAL, source)).willReturn(Mono.just(new Job(source, CallerTenant.LOCAL,
				JobStatus.COMPLETED, 100, "sim-remix", instance, "the source", PARAMETERS, 0, null, "video_source",
				null, null, null, null, 0, now, null, null, null, now, now, now, 1, null, 0)));
		given(this.providers.traits(instance)).willReturn(Optional.of(traits));
	}

	private void retryRefusedOnRemixOf(UUID failed, String detail) {
		this.http.post()
			.uri("/api/v1/jobs/{id}/retry", failed)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.field").isEqualTo("remix_of")
			.jsonPath("$.detail").isEqualTo(detail);
		then(this.jobs).should(never()).create(any());
	}

	@Test
	void anUnknownJobIsNotFound() {
		UUID missing = UUID.randomUUID();
		given(this.jobs.find(CallerTenant.LOCAL, missing)).willReturn(Mono.error(new JobNotFoundException(missing)));
		this.http.post().uri("/api/v1/jobs/{id}/retry", missing).exchange().expectStatus().isNotFound();
	}

	private static Job job(UUID id, JobStatus status, JobParameters parameters, int priority) {
		Instant now = Instant.now();
		return new Job(id, dev.reelay.tenant.CallerTenant.LOCAL, status, 0, "sim-video", "simulator", "a retried cat", parameters, priority, null, null, null,
				null, null, null, 0, now, null, null, null, now, now, status.isTerminal() ? now : null, 1, null, 0);
	}

}
