/**
 * The {@code evolink} family: EvoLink.ai's unified task API in front of Seedance, Veo, Kling, Hailuo and others, with
 * a create body per upstream model family, credits held at create recorded as the job's usage, and unsigned
 * callbacks taken only as a reason to look at the task again.
 */
@NullMarked
package dev.reelay.provider.evolink;

import org.jspecify.annotations.NullMarked;
