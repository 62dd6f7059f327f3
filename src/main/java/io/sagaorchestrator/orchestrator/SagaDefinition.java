package io.sagaorchestrator.orchestrator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A named, versioned business process over the saga's own data type: steps run top to bottom,
 * compensations bottom to top. Plain data: the engine ({@link SagaEntity}) executes any of them.
 * {@code dataCheck} is what a client's data must satisfy beyond reading as {@code dataType}.
 */
public record SagaDefinition<D>(
    String name,
    int version,
    Class<D> dataType,
    List<SagaStep<D>> steps,
    RetryPolicy compensationRetry,
    Duration deadline,
    DataCheck dataCheck) {

  public SagaDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataType, "dataType");
    Objects.requireNonNull(compensationRetry, "compensationRetry");
    Objects.requireNonNull(dataCheck, "dataCheck");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) throw new IllegalArgumentException("definition " + name + " has no steps");
    var names = new HashSet<String>();
    for (SagaStep<D> step : steps) {
      if (!names.add(step.name())) throw new IllegalArgumentException("definition " + name + " repeats step " + step.name());
    }
    if (deadline == null || deadline.isZero() || deadline.isNegative()) {
      throw new IllegalArgumentException("definition " + name + ": deadline must be positive");
    }
  }

  /** Its name and data type, for starters that start sagas of it ({@link SagaEntity.StartSaga#of}). */
  public SagaType<D> type() {
    return SagaType.of(name, dataType);
  }

  public String id() {
    return name + "@v" + version;
  }

  public SagaStep<D> step(int index) {
    return steps.get(index);
  }

  public static <D> Builder<D> builder(String name, int version, Class<D> dataType) {
    return new Builder<>(name, version, dataType);
  }

  /** Reads top to bottom like the business process it describes. */
  public static final class Builder<D> {
    private final String name;
    private final int version;
    private final Class<D> dataType;
    private final List<SagaStep<D>> steps = new ArrayList<>();
    private RetryPolicy compensationRetry =
        RetryPolicy.exponential(20, Duration.ofMillis(100), Duration.ofSeconds(5), 0.2);
    private Duration deadline = Duration.ofMinutes(5);
    private DataCheck dataCheck = DataCheck.NONE;

    private Builder(String name, int version, Class<D> dataType) {
      this.name = name;
      this.version = version;
      this.dataType = dataType;
    }

    /**
     * The next step, everything about it inside {@code spec}:
     * {@code .step("payment", step -> step.action(charge).compensation(refund).retry(retry).timeout(timeout))}.
     */
    public Builder<D> step(String stepName, UnaryOperator<SagaStep.Builder<D>> spec) {
      return step(spec.apply(new SagaStep.Builder<>(stepName)).build());
    }

    public Builder<D> step(SagaStep<D> step) {
      steps.add(step);
      return this;
    }

    public Builder<D> compensationRetry(RetryPolicy retry) {
      this.compensationRetry = retry;
      return this;
    }

    public Builder<D> deadline(Duration sagaDeadline) {
      this.deadline = sagaDeadline;
      return this;
    }

    public Builder<D> dataCheck(DataCheck check) {
      this.dataCheck = check;
      return this;
    }

    public SagaDefinition<D> build() {
      return new SagaDefinition<>(name, version, dataType, steps, compensationRetry, deadline, dataCheck);
    }
  }
}
