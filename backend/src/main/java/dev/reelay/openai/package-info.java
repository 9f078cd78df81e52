/**
 * The OpenAI Videos API ({@code /v1/videos}) served by Reelay: a translation layer over the job store, so that code
 * written against {@code client.videos.*} of the official SDKs works by changing its base URL. No job model of its
 * own: a video is a job, its id the job's id.
 */
@ApplicationModule(allowedDependencies = { "catalog", "job", "job::web", "storage", "support", "tenant" })
@NullMarked
package dev.reelay.openai;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
