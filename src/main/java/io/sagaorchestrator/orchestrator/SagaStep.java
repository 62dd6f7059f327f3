package io.sagaorchestrator.orchestrator;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a saga: the action, what undoes it, and how hard to try; {@code settlement}, when
 * present, is told once the saga has ended. {@code rejectionAppliesNothing}: the step's
 * participant applies nothing when it rejects, so a rejected step is not compensated (a step that
 * failed or timed out still is). Not for a step that asks several participants, some of which may
 * have applied before another rejected.
 */
public record SagaStep<D>(
    String name,
    StepAction<D> action,
    StepAction<D> compensation,
    RetryPolicy retry,
    Duration timeout,
    StepSettlement<D> settlement,
    boolean rejectionAppliesNothing) {

  public SagaStep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(compensation, "compensation");
    Objects.requireNonNull(retry, "retry");
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("step " + name + ": timeout must be positive");
    }
  }

  public SagaStep<D> settledBy(StepSettlement<D> notice) {
    return new SagaStep<>(name, action, compensation, retry, timeout, notice, rejectionAppliesNothing);
  }

  public SagaStep<D> withRejectionApplyingNothing() {
    return new SagaStep<>(name, action, compensation, retry, timeout, settlement, true);
  }
}
