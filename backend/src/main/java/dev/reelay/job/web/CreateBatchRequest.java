package dev.reelay.job.web;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** The body of {@code POST /api/v1/jobs/batch}: up to 100 jobs, queued all together or not at all. */
record CreateBatchRequest(@Nullable List<CreateJobRequest> jobs) {
}
