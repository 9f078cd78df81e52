/**
 * The web page (Thymeleaf templates and ES modules live in the frontend module) and the API's problem responses.
 */
// The page learns whether the simulator runs from provider.BuiltInSimulator, never from the simulator itself.
@ApplicationModule(allowedDependencies = { "catalog", "job", "provider", "support", "tenant" })
@NullMarked
package dev.reelay.web;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
