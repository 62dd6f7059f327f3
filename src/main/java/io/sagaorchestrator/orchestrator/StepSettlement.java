package io.sagaorchestrator.orchestrator;

import java.time.Instant;

/**
 * Tells a step's participant that the saga has ended (COMPLETED or COMPENSATED): nothing new
 * will come under the step's idempotency key, and no command sent under it may be applied after
 * {@code actionsNotAfter} (every attempt's deadline is at or before it), so the participant may
 * drop its record of the key from then on. Fire and forget: a lost notice only leaves the record
 * in place.
 */
@FunctionalInterface
public interface StepSettlement<D> {
  void settled(D data, String idempotencyKey, Instant actionsNotAfter);
}
