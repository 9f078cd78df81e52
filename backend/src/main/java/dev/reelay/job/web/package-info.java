/**
 * The job REST API ({@code /api/v1/jobs}): controllers, JSON and multipart forms, image header checks, stored-file
 * responses, and {@link JobSubmissions}, the one path from a request to a job. Other modules may use only the types
 * of the named interface {@code web} (the OpenAI facade submits through it and serves files with it).
 */
@NullMarked
package dev.reelay.job.web;

import org.jspecify.annotations.NullMarked;
