/**
 * The {@code kie} family: Kie.ai's Market jobs API ({@code createTask} / {@code recordInfo}) and its Veo API
 * ({@code veo/generate} / {@code veo/record-info}), with errors inside HTTP 200 bodies and JSON inside strings.
 */
@NullMarked
package dev.reelay.provider.kie;

import org.jspecify.annotations.NullMarked;
