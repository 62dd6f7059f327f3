package io.sagaorchestrator.orchestrator;

import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;

/**
 * What the engine tells a metrics registry as sagas run on this node, by definition and step
 * (never by saga id). The node gives one that records into {@code GET /metrics}; tests and tools
 * run with {@link #NONE}.
 */
public interface SagaMetrics {
  SagaMetrics NONE = new SagaMetrics() {};

  /** How one attempt of an action or a compensation ended. */
  enum Answer { SUCCEEDED, REJECTED, FAILED, TIMED_OUT }

  /** A saga was started (its first event is, or is about to be, stored). */
  default void started(String definition) {}

  /** An attempt of a step's action ({@code compensation} false) or compensation was answered after {@code nanos}. */
  default void attempted(String definition, String step, boolean compensation, Answer answer, long nanos) {}

  /** A failed attempt will be tried again after its backoff. */
  default void retrying(String definition, String step, boolean compensation) {}

  /** The saga began to compensate. */
  default void compensating(String definition) {}

  /** The saga ended (COMPLETED, COMPENSATED) or parked. */
  default void settled(String definition, SagaStatus status) {}

  /** The saga keeper started on this node (first, or again after a failure or a failover), following {@code openSagas}. */
  default void keeperStarted(int openSagas) {}

  /** The saga keeper could not read the journal; it tries again after its poll interval. */
  default void keeperReadFailed() {}

  /** After one of the keeper's reads: the sagas it knows to be open. */
  default void keeperFollowing(int openSagas) {}
}
