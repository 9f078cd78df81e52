/**
 * The web page (Thymeleaf templates and ES modules live in the frontend module) and the API's problem responses.
 */
// TODO(simmodule): the page learns of the simulator without importing it
@ApplicationModule(allowedDependencies = { "catalog", "job", "simulator", "support", "tenant" })
@NullMarked
package dev.reelay.web;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
