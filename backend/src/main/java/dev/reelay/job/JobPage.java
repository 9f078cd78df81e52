package dev.reelay.job;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** One page of jobs, newest first, and the cursor for the next page (null on the last page). */
public record JobPage(List<JobView> data, @Nullable String nextCursor) {
}
