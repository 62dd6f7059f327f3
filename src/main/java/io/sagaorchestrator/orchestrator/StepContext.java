package io.sagaorchestrator.orchestrator;

import java.time.Duration;

/**
 * What a step action is told about the attempt it serves. The idempotency key is the same for
 * every attempt of a step and for its compensation, so a participant can tie them together.
 */
public record StepContext(String sagaId, String stepName, String idempotencyKey, int attempt, Duration timeout) {

  public static String idempotencyKey(String sagaId, String stepName) {
    return sagaId + ":" + stepName;
  }
}
