/**
 * The web page (Thymeleaf templates and ES modules live in the frontend module) and the API's problem responses.
 */
@NullMarked
package dev.reelay.web;

import org.jspecify.annotations.NullMarked;
