package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobError;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderFamilies;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.ProviderUsage;
import dev.reelay.provider.openai.OpenAiVideosFamilyAccess;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.Test;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Each provider family's billing rule for completed, failed, moderated and canceled jobs. */
class BillingRulesTests {

	private static final JobCost COST = new JobCost("USD", new BigDecimal("2.00"), null);

	private static final JobError MODERATED = new JobError("moderation_blocked", "blocked", false);

	private static final JobError FAILED = new JobError("generation_failed", "it broke", false);

	@Test
	void aCompletedJobCostsItsEstimateUnlessTheProviderSaidWhatItChargedInDollars() {
		assertThat(cost(ended(JobStatus.COMPLETED, "r", null, null), "openai-videos")).isEqualByComparingTo("2.00");
		ProviderUsage usage = new ProviderUsage("per_second", new BigDecimal("50"), new BigDecimal("48"), null,
				new BigDecimal("1.71"));
		assertThat(cost(ended(JobStatus.COMPLETED, "r", null, usage), "evolink")).isEqualByComparingTo("1.71");
	}

	@Test
	void aJobTheProviderNeverAcceptedCostsNothing() {
		for (String family : new String[] { "openai-videos", "google-veo", "kie", "runway", "fal", "evolink" }) {
			assertThat(cost(ended(JobStatus.FAILED, null, FAILED, null), family)).isEqualByComparingTo("0");
			assertThat(cost(ended(JobStatus.CANCELED, null, null, null), family)).isEqualByComparingTo("0");
		}
	}

	@Test
	void aCreateWhoseOutcomeIsUnknownCostsItsEstimateThoughItHasNoId() {
		JobError unknown = new JobError("submit_outcome_unknown", "no answer", true);
		for (String family : new String[] { "openai-videos", "google-veo", "kie", "runway", "fal", "evolink" }) {
			assertThat(cost(ended(JobStatus.FAILED, null, unknown, null), family)).isEqualByComparingTo("2.00");
		}
	}

	@Test
	void failuresAndModerationPerFamily() {
		// OpenAI documents nothing: the conservative reading charges the estimate.
		assertThat(cost(ended(JobStatus.FAILED, "r", MODERATED, null), "openai-videos")).isEqualByComparingTo("2.00");
		assertThat(cost(ended(JobStatus.FAILED, "r", FAILED, null), "openai-videos")).isEqualByComparingTo("2.00");
		// Veo: safety-filtered generations are not charged; other failures are not documented.
		JobError filtered = new JobError("safety_filtered", "removed", false);
		assertThat(cost(ended(JobStatus.FAILED, "r", filtered, null), "google-veo")).isEqualByComparingTo("0");
		assertThat(cost(ended(JobStatus.FAILED, "r", FAILED, null), "google-veo")).isEqualByComparingTo("2.00");
		// Kie and EvoLink: failed tasks are not charged.
		assertThat(cost(ended(JobStatus.FAILED, "r", MODERATED, null), "kie")).isEqualByComparingTo("0");
		assertThat(cost(ended(JobStatus.FAILED, "r", FAILED, null), "evolink")).isEqualByComparingTo("0");
		// Runway: moderated generations cost as much as successful ones.
		assertThat(cost(ended(JobStatus.FAILED, "r", MODERATED, null), "runway")).isEqualByComparingTo("2.00");
		// fal: only successful outputs, but input errors (a content check) may be charged.
		assertThat(cost(ended(JobStatus.FAILED, "r", FAILED, null), "fal")).isEqualByComparingTo("0");
		JobError contentPolicy = new JobError("content_policy_violation", "blocked", false);
		assertThat(cost(ended(JobStatus.FAILED, "r", contentPolicy, null), "fal")).isEqualByComparingTo("2.00");
		// A family nobody described: the estimate.
		assertThat(cost(ended(JobStatus.FAILED, "r", FAILED, null), "")).isEqualByComparingTo("2.00");
	}

	@Test
	void aJobCanceledAfterTheProviderAcceptedItCostsItsEstimate() {
		assertThat(cost(ended(JobStatus.CANCELED, "r", null, null), "kie")).isEqualByComparingTo("2.00");
		assertThat(cost(ended(JobStatus.CANCELED, "r", null, null), "fal")).isEqualByComparingTo("2.00");
	}

	@Test
	void aVideoThatFinishedButCouldNotBeSavedCostsAsACompletedOne() {
		JobError unsaved = new JobError("content_unavailable", "The video finished but could not be saved.", true);
		for (String family : new String[] { "evolink", "kie", "fal", "google-veo", "openai-videos" }) {
			assertThat(cost(ended(JobStatus.FAILED, "r", unsaved, null), family)).as(family)
				.isEqualByComparingTo("2.00");
		}
	}

	@Test
	void aReportedCostThatCannotBeRightCountsAsTheEstimate() {
		for (String reported : new String[] { "-0.01", "100000000", "200.01" }) {
			ProviderUsage usage = new ProviderUsage(null, null, null, null, new BigDecimal(reported));
			assertThat(cost(ended(JobStatus.COMPLETED, "r", null, usage), "evolink")).as(reported)
				.isEqualByComparingTo("2.00");
		}
		ProviderUsage fair = new ProviderUsage(null, null, null, null, new BigDecimal("3.10"));
		assertThat(cost(ended(JobStatus.COMPLETED, "r", null, fair), "evolink")).isEqualByComparingTo("3.10");
	}

	/** The rule by the family's name, as the families themselves declare it; a family nobody described pays in full. */
	private static BigDecimal cost(Job job, String family) {
		ProviderFamilies declared = new ProviderFamilies();
		WebClient.Builder web = WebClient.builder();
		FamilyTraits.FailedBilling rule = Stream.of(OpenAiVideosFamilyAccess.family(), declared.evolinkFamily(web),
				declared.falFamily(web), declared.geminiInteractionsFamily(web), declared.googleVeoFamily(web),
				declared.kieFamily(web), declared.runwayFamily(web))
			.filter((candidate) -> candidate.name().equals(family))
			.map((found) -> found.traits(family, new ProviderSettings.Instance(family, null, "k", true,
					Duration.ofSeconds(1), Duration.ofSeconds(1), List.of(), Map.of())).failedBilling())
			.findFirst()
			.orElse(FamilyTraits.FailedBilling.FULL);
		return BillingRules.actualCost(job, COST, rule);
	}

	private static Job ended(JobStatus status, String remoteId, JobError error, ProviderUsage usage) {
		Instant now = Instant.now();
		return new Job(UUID.randomUUID(), CallerTenant.LOCAL, status, 0, "m", "p", "a cat",
				new JobParameters(4, "16:9", "720p", null, null), 0, null, remoteId, null, error, null, usage, 0, now,
				null, null, now, now, now, now, 3, null, 1, COST);
	}

}
