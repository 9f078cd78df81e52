/**
 * The {@code google-veo} family: Veo through the Gemini API ({@code predictLongRunning}, operation polling, file
 * download with the key) or, with {@code options.api=vertex}, through Vertex AI ({@code fetchPredictOperation}).
 */
@NullMarked
package dev.reelay.provider.veo;

import org.jspecify.annotations.NullMarked;
