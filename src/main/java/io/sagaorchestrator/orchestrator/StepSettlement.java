package io.sagaorchestrator.orchestrator;

/**
 * Tells a step's participant that the saga has ended (COMPLETED or COMPENSATED): nothing more
 * will come under the step's idempotency key, so the participant may drop its record of it.
 * Fire and forget: a lost notice only leaves the record in place.
 */
@FunctionalInterface
public interface StepSettlement<D> {
  void settled(D data, String idempotencyKey);
}
