/**
 * The {@code runway} family: Runway's task API ({@code image_to_video}, {@code text_to_video}, {@code tasks/{id}},
 * cancel by {@code DELETE}), always with {@code X-Runway-Version}, polled no faster than every 5 s.
 */
@NullMarked
package dev.reelay.provider.runway;

import org.jspecify.annotations.NullMarked;
