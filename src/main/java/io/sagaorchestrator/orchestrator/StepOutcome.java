package io.sagaorchestrator.orchestrator;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sagaorchestrator.CborSerializable;

/**
 * What a participant answers to a step command or its compensation. The whole participant
 * protocol is this: a command with an idempotency key, and one of these three replies.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StepOutcome.Succeeded.class, name = "succeeded"),
  @JsonSubTypes.Type(value = StepOutcome.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = StepOutcome.Failed.class, name = "failed")
})
public sealed interface StepOutcome extends CborSerializable {

  /** Applied (or applied earlier under the same key). */
  record Succeeded(String detail) implements StepOutcome {}

  /** A business refusal: retrying will not help, the saga compensates. */
  record Rejected(String reason) implements StepOutcome {}

  /** A transient failure: nothing was applied, the saga may retry. */
  record Failed(String reason) implements StepOutcome {}

  static StepOutcome succeeded() {
    return new Succeeded("");
  }
}
