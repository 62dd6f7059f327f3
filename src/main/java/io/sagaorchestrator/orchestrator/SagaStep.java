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
    Objects.requireNonNull(action, () -> "step " + name + ": action");
    Objects.requireNonNull(compensation, () -> "step " + name + ": compensation");
    Objects.requireNonNull(retry, () -> "step " + name + ": retry");
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("step " + name + ": timeout must be positive");
    }
  }

  /**
   * A step's parts and options, all about this one step; {@link SagaDefinition.Builder#step}
   * hands one out per step, so an option cannot land on another step.
   */
  public static final class Builder<D> {
    private final String name;
    private StepAction<D> action;
    private StepAction<D> compensation;
    private RetryPolicy retry;
    private Duration timeout;
    private StepSettlement<D> settlement;
    private boolean rejectionAppliesNothing;

    Builder(String name) {
      this.name = name;
    }

    public Builder<D> action(StepAction<D> stepAction) {
      this.action = stepAction;
      return this;
    }

    public Builder<D> compensation(StepAction<D> undo) {
      this.compensation = undo;
      return this;
    }

    public Builder<D> retry(RetryPolicy policy) {
      this.retry = policy;
      return this;
    }

    /** How long each attempt (and each compensation attempt) may take. */
    public Builder<D> timeout(Duration attemptTimeout) {
      this.timeout = attemptTimeout;
      return this;
    }

    /** Once the saga has ended, this step tells its participant with {@code notice}. */
    public Builder<D> settledBy(StepSettlement<D> notice) {
      this.settlement = notice;
      return this;
    }

    /** This step's participant applies nothing when it rejects: a rejection is not compensated. */
    public Builder<D> rejectionAppliesNothing() {
      this.rejectionAppliesNothing = true;
      return this;
    }

    SagaStep<D> build() {
      return new SagaStep<>(name, action, compensation, retry, timeout, settlement, rejectionAppliesNothing);
    }
  }
}
