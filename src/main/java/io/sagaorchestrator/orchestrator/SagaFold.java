package io.sagaorchestrator.orchestrator;

import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventHandlerBuilder;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.Event;
import io.sagaorchestrator.orchestrator.SagaEntity.LastStepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.NotStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.Saga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaCompleted;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaParked;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaResumed;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.State;
import io.sagaorchestrator.orchestrator.SagaEntity.StepAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.StepCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRefused;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRejected;
import io.sagaorchestrator.orchestrator.SagaEntity.StepStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.StepView;
import java.util.ArrayList;
import java.util.List;

/**
 * How each stored event changes a saga: {@link SagaEntity}'s event handler, and the read side's
 * fold of the same events ({@link #apply}). It reads only the events and the state, never a
 * {@link SagaDefinition}, so a saga replays on a node that lacks its definition (and is then
 * BLOCKED, docs/design.md §3.11).
 */
public final class SagaFold {
  private static final EventHandler<State, Event> HANDLER = eventHandler(EventHandlerBuilder.builder());

  private SagaFold() {}

  /** The saga after {@code event}, as the entity would hold it. */
  public static State apply(State state, Event event) {
    return HANDLER.apply(state, event);
  }

  static EventHandler<State, Event> eventHandler(EventHandlerBuilder<State, Event> builder) {
    builder.forStateType(NotStarted.class).onEvent(SagaStarted.class, (s, e) -> started(e));
    builder.forStateType(Saga.class)
        .onEvent(StepSucceeded.class, SagaFold::stepSucceeded)
        .onEvent(LastStepSucceeded.class, (s, e) ->
            completed(stepSucceeded(s, new StepSucceeded(e.step(), e.attempt(), e.at())), new SagaCompleted(e.at())))
        .onEvent(StepAttemptFailed.class, (s, e) -> {
          StepView step = s.steps().get(e.step());
          return s.withStep(e.step(), new StepView(step.name(), step.status(), e.attempt(), e.error(), 0))
              .record(e, step.name(), "attempt " + e.attempt() + ": " + e.error());
        })
        .onEvent(StepRejected.class, SagaFold::stepRejected)
        .onEvent(StepRefused.class, (s, e) -> {
          String reason = rejectionReason(s.steps().get(e.step()).name(), e.reason());
          return compensationStarted(stepRejected(s, new StepRejected(e.step(), e.attempt(), e.reason(), e.at())),
              new CompensationStarted(reason, e.at()), e.step() - 1);
        })
        .onEvent(CompensationStarted.class, (s, e) -> compensationStarted(s, e, s.currentStep()))
        .onEvent(StepCompensated.class, SagaFold::stepCompensated)
        .onEvent(CompensationAttemptFailed.class, (s, e) -> {
          StepView step = s.steps().get(e.step());
          return s.withStep(e.step(), new StepView(step.name(), step.status(), step.attempts(), e.error(), e.attempt()))
              .with(s.status(), s.currentStep(), e.attempt(), s.reason(), null)
              .record(e, step.name(), "attempt " + e.attempt() + ": " + e.error());
        })
        .onEvent(SagaParked.class, (s, e) ->
            s.with(SagaStatus.PARKED, s.currentStep(), s.compensationAttempts(), s.reason(), null).record(e, null, e.reason()))
        .onEvent(SagaResumed.class, (s, e) ->
            s.with(SagaStatus.COMPENSATING, s.currentStep(), 0, s.reason(), null).record(e, null, "operator retry"))
        .onEvent(SagaCompleted.class, SagaFold::completed)
        .onEvent(SagaCompensated.class, (s, e) ->
            s.with(SagaStatus.COMPENSATED, s.currentStep(), 0, s.reason(), e.at()).record(e, null, s.reason()));
    return builder.build();
  }

  /** The saga its first event describes: its step names are the stored ones, whatever the definition says now. */
  static Saga started(SagaStarted e) {
    List<StepView> steps = new ArrayList<>();
    for (String name : e.stepNames()) steps.add(new StepView(name, StepStatus.PENDING, 0, null, 0));
    steps.set(0, steps.get(0).with(StepStatus.RUNNING));
    return new Saga(e.sagaId(), e.definition(), e.version(), e.data(), e.correlationId(), e.at(), null,
            SagaStatus.RUNNING, 0, 0, null, steps, List.of())
        .record(e, null, "definition " + e.definition() + "@v" + e.version());
  }

  /** The saga's reason after a refusal: the same whether the refusal is handled live or replayed. */
  static String rejectionReason(String stepName, String participantReason) {
    return stepName + " rejected: " + participantReason;
  }

  private static Saga stepSucceeded(Saga s, StepSucceeded e) {
    StepView done = s.steps().get(e.step());
    Saga next = s.withStep(e.step(), new StepView(done.name(), StepStatus.SUCCEEDED, e.attempt(), done.lastError(), 0));
    if (e.step() + 1 < s.steps().size()) {
      next = next.withStep(e.step() + 1, next.steps().get(e.step() + 1).with(StepStatus.RUNNING))
          .with(SagaStatus.RUNNING, e.step() + 1, 0, null, null);
    }
    return next.record(e, done.name(), "attempt " + e.attempt());
  }

  private static Saga stepRejected(Saga s, StepRejected e) {
    StepView step = s.steps().get(e.step());
    return s.withStep(e.step(), new StepView(step.name(), StepStatus.REJECTED, e.attempt(), e.reason(), 0))
        .record(e, step.name(), e.reason());
  }

  private static Saga stepCompensated(Saga s, StepCompensated e) {
    StepView step = s.steps().get(e.step());
    Saga next = s.withStep(e.step(), new StepView(step.name(), StepStatus.COMPENSATED, step.attempts(), step.lastError(), e.attempt()));
    int following = next.stepToCompensateFrom(e.step() - 1);
    if (following >= 0) {
      next = next.withStep(following, next.steps().get(following).with(StepStatus.COMPENSATING))
          .with(SagaStatus.COMPENSATING, following, 0, s.reason(), null);
    }
    return next.record(e, step.name(), "attempt " + e.attempt());
  }

  /** Compensation starts at the highest step at or below {@code from} that may have applied; with none, nothing is left to undo. */
  private static Saga compensationStarted(Saga s, CompensationStarted e, int from) {
    int first = s.stepToCompensateFrom(from);
    Saga next = first < 0 ? s : s.withStep(first, s.steps().get(first).with(StepStatus.COMPENSATING));
    return next.with(SagaStatus.COMPENSATING, first < 0 ? s.currentStep() : first, 0, e.reason(), null).record(e, null, e.reason());
  }

  private static Saga completed(Saga s, SagaCompleted e) {
    return s.with(SagaStatus.COMPLETED, s.currentStep(), 0, null, e.at()).record(e, null, null);
  }
}
