/**
 * The web page (Thymeleaf templates and ES modules live in the frontend module) and the API's problem responses.
 */
// The page learns whether the simulator runs from provider.BuiltInSimulator, never from the simulator itself, and a
// starting image's limits from the job API's UploadedImages (job::web), so its form checks what the API checks.
@ApplicationModule(allowedDependencies = { "catalog", "job", "job::web", "provider::view", "support", "tenant" })
@NullMarked
package dev.reelay.web;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
