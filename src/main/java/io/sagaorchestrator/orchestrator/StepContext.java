package io.sagaorchestrator.orchestrator;

import java.time.Duration;
import java.time.Instant;

/**
 * What a step action is told about the attempt it serves. The idempotency key is the same for
 * every attempt of a step and for its compensation, so a participant can tie them together.
 * {@code notAfter} is when the saga stops waiting for this attempt: a participant should refuse
 * an action that reaches it later, since the saga has moved on. {@code correlationId} is the
 * saga's, for a remote participant's logs.
 */
public record StepContext(String sagaId, String stepName, String idempotencyKey, int attempt, Duration timeout, Instant notAfter,
    String correlationId) {

  public static String idempotencyKey(String sagaId, String stepName) {
    return sagaId + ":" + stepName;
  }
}
