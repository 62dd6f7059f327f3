package io.sagaorchestrator.orchestrator;

import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import io.sagaorchestrator.orchestrator.SagaEntity.Command;
import io.sagaorchestrator.orchestrator.SagaEntity.DeadlineReached;
import io.sagaorchestrator.orchestrator.SagaEntity.PassivateIdle;
import io.sagaorchestrator.orchestrator.SagaEntity.RetryDue;
import io.sagaorchestrator.orchestrator.SagaEntity.Saga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StepResultReceived;
import io.sagaorchestrator.orchestrator.SagaEntity.StepStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The side effects of one saga entity: the participant calls and the timers (retry backoff,
 * deadline, passivation). {@link SagaEntity} calls it only after the events that decide a call
 * are stored. It holds the token of the one dispatch whose answer is awaited.
 */
final class StepDispatcher {
  private static final String RETRY_TIMER = "retry";
  private static final String DEADLINE_TIMER = "deadline";
  private static final String PASSIVATE_TIMER = "passivate";

  private final String sagaId;
  private final SagaDefinitions definitions;
  private final Duration passivateAfterEnd;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  /** Identifies the one dispatch whose answer is awaited; replies carrying another are late. */
  private long currentToken;

  private Object decodedData;

  StepDispatcher(String sagaId, SagaDefinitions definitions, Duration passivateAfterEnd, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    this.sagaId = sagaId;
    this.definitions = definitions;
    this.passivateAfterEnd = passivateAfterEnd;
    this.context = context;
    this.timers = timers;
  }

  boolean isCurrent(long token) {
    return token == currentToken;
  }

  /** Sends the command the saga is waiting on: the current step's action or its compensation. */
  void dispatch(Saga saga) {
    timers.cancel(RETRY_TIMER);
    long token = ++currentToken;
    SagaDefinition<Object> definition = definitionOf(saga);
    SagaStep<Object> step = definition.step(saga.currentStep());
    boolean compensating = saga.status() == SagaStatus.COMPENSATING;
    if (!compensating && saga.status() != SagaStatus.RUNNING) return;
    int attempt = compensating ? saga.compensationAttempts() + 1 : saga.current().attempts() + 1;
    var stepContext = new StepContext(sagaId, step.name(), StepContext.idempotencyKey(sagaId, step.name()), attempt, step.timeout(),
        Instant.now().plus(step.timeout()));
    StepAction<Object> action = compensating ? step.compensation() : step.action();
    context.getLog().debug("saga {} [{}] {} {} attempt {}", sagaId, saga.correlationId(),
        compensating ? "compensating" : "running", step.name(), attempt);
    CompletableFuture<StepOutcome> answer = new CompletableFuture<>();
    try {
      action.invoke(data(saga, definition), stepContext).whenComplete((outcome, error) -> {
        if (error != null) answer.completeExceptionally(error);
        else answer.complete(outcome);
      });
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    answer.orTimeout(step.timeout().toMillis(), TimeUnit.MILLISECONDS);
    context.pipeToSelf(answer, (outcome, error) -> error == null
        ? new StepResultReceived(token, outcome, null, false)
        : new StepResultReceived(token, null, errorText(error), AskFailures.isTimeout(error)));
  }

  void scheduleRetry(Duration backoff) {
    timers.startSingleTimer(RETRY_TIMER, new RetryDue(currentToken), backoff);
  }

  void cancelRetry() {
    timers.cancel(RETRY_TIMER);
  }

  void startDeadlineTimer(Saga saga) {
    Duration deadline = definitionOf(saga).deadline();
    Duration remaining = Duration.between(Instant.now(), saga.startedAt().plus(deadline));
    timers.startSingleTimer(DEADLINE_TIMER, DeadlineReached.INSTANCE, remaining.isNegative() ? Duration.ZERO : remaining);
  }

  /** The saga ended: no answer is awaited any more, and it leaves memory after a while. */
  void ended() {
    currentToken++;
    timers.cancel(RETRY_TIMER);
    timers.cancel(DEADLINE_TIMER);
    passivateLater();
  }

  void passivateLater() {
    timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, passivateAfterEnd);
  }

  void stayInMemory() {
    timers.cancel(PASSIVATE_TIMER);
  }

  /**
   * Tells the participants of every step that was tried that this saga is over. Every attempt
   * was sent before now, so none has a deadline later than now plus the step's timeout.
   */
  void settle(Saga saga) {
    SagaDefinition<Object> definition = definitionOf(saga);
    Instant now = Instant.now();
    for (int i = 0; i < definition.steps().size(); i++) {
      SagaStep<Object> step = definition.step(i);
      if (step.settlement() == null || saga.steps().get(i).status() == StepStatus.PENDING) continue;
      try {
        step.settlement().settled(data(saga, definition), StepContext.idempotencyKey(sagaId, step.name()), now.plus(step.timeout()));
      } catch (RuntimeException e) {
        context.getLog().warn("saga {}: settlement notice of step {} failed: {}", sagaId, step.name(), e.toString());
      }
    }
  }

  @SuppressWarnings("unchecked")
  SagaDefinition<Object> definitionOf(Saga saga) {
    return (SagaDefinition<Object>) definitions.find(saga.definition(), saga.version())
        .orElseThrow(() -> new IllegalStateException(
            "saga " + sagaId + " needs definition " + saga.definition() + "@v" + saga.version() + ", not registered on this node"));
  }

  private Object data(Saga saga, SagaDefinition<Object> definition) {
    if (decodedData == null) decodedData = SagaData.fromTree(saga.data(), definition.dataType());
    return decodedData;
  }

  private static String errorText(Throwable error) {
    Throwable cause = AskFailures.unwrap(error);
    return AskFailures.isTimeout(cause) ? "timed out" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
