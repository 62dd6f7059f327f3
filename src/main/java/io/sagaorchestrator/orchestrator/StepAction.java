package io.sagaorchestrator.orchestrator;

import java.util.concurrent.CompletionStage;

/** A participant action or compensation over the saga's data. */
@FunctionalInterface
public interface StepAction<D> {
  CompletionStage<StepOutcome> invoke(D data, StepContext context);
}
