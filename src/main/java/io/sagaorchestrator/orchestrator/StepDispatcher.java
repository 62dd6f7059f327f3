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
import java.util.concurrent.CompletionStage;

/**
 * The side effects of one saga entity: the participant calls and the timers (an attempt's
 * timeout, retry backoff, deadline, passivation). {@link SagaEntity} calls it only after the
 * events that decide a call are stored. It holds the token of the one dispatch whose answer is
 * awaited.
 *
 * <p>An attempt's timeout is an actor timer, not a timeout on the participant's future, so it
 * runs on the actor system's scheduler (tests move it with {@code ManualTime}) and goes with the
 * entity when it stops. The timer sends the same answer a timed-out ask would: a failed attempt
 * with {@code timedOut}, an unknown outcome (docs/design.md §3.5).
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
  private final SagaLog log;

  /** Identifies the latest dispatch; replies carrying another are late. */
  private long currentToken;

  /** The latest dispatch's answer (or timeout) has not been handled yet. */
  private boolean awaiting;
  private long dispatchedNanos;

  private Object decodedData;

  /** Why this node cannot run the saga, or null: a BLOCKED saga sends nothing and keeps no timer. */
  private String blockedReason;

  /** Checked once and found runnable: final, since a node's definitions are only ever added to, never replaced. */
  private boolean runnable;

  private final RunningSagas running;

  /** This saga is counted in {@link #running}. */
  private boolean counted;

  StepDispatcher(String sagaId, SagaDefinitions definitions, Duration passivateAfterEnd, RunningSagas running,
      ActorContext<Command> context, TimerScheduler<Command> timers, SagaLog log) {
    this.sagaId = sagaId;
    this.definitions = definitions;
    this.passivateAfterEnd = passivateAfterEnd;
    this.running = running;
    this.context = context;
    this.timers = timers;
    this.log = log;
  }

  boolean isCurrent(long token) {
    return token == currentToken;
  }

  /**
   * True for the first answer to the latest dispatch, its timeout included: that one is acted on.
   * Anything else for the attempt (a reply after its timeout, a timeout after its reply) is late.
   */
  boolean answered(long token) {
    if (token != currentToken || !awaiting) return false;
    awaiting = false;
    timers.cancel(attemptTimer(token));
    return true;
  }

  /** How long the attempt just answered took, from its dispatch. */
  long attemptNanos() {
    return System.nanoTime() - dispatchedNanos;
  }

  String blockedReason() {
    return blockedReason;
  }

  /** Runs a saga that starts, recovers or is woken: its deadline, and the command it waits on. */
  void resume(Saga saga) {
    if (blocked(saga)) return;
    countAsRunning();
    startDeadlineTimer(saga);
    dispatch(saga);
  }

  /**
   * Sends the command the saga is waiting on: the current step's action or its compensation,
   * keyed by the step name the saga stored when it started, never by the definition's.
   */
  void dispatch(Saga saga) {
    timers.cancel(RETRY_TIMER);
    stopAwaiting();
    long token = ++currentToken;
    boolean compensating = saga.status() == SagaStatus.COMPENSATING;
    if (!compensating && saga.status() != SagaStatus.RUNNING) return;
    if (blocked(saga)) return;
    SagaDefinition<Object> definition = definitionOf(saga);
    SagaStep<Object> step = definition.step(saga.currentStep());
    String stepName = saga.current().name();
    int attempt = compensating ? saga.compensationAttempts() + 1 : saga.current().attempts() + 1;
    var stepContext = new StepContext(sagaId, stepName, StepContext.idempotencyKey(sagaId, stepName), attempt, step.timeout(), Instant.now().plus(step.timeout()),
        saga.correlationId());
    StepAction<Object> action = compensating ? step.compensation() : step.action();
    log.debug("saga {} [{}] {} {} attempt {}", sagaId, saga.correlationId(),
        compensating ? "compensating" : "running", stepName, attempt);
    awaiting = true;
    dispatchedNanos = System.nanoTime();
    timers.startSingleTimer(attemptTimer(token), new StepResultReceived(token, null, "timed out", true), step.timeout());
    CompletionStage<StepOutcome> answer;
    try {
      answer = action.invoke(data(saga, definition), stepContext);
    } catch (RuntimeException e) {
      context.getSelf().tell(new StepResultReceived(token, null, errorText(e), AskFailures.isTimeout(e)));
      return;
    }
    context.pipeToSelf(answer, (outcome, error) -> error == null
        ? new StepResultReceived(token, outcome, null, false)
        : new StepResultReceived(token, null, errorText(error), AskFailures.isTimeout(error)));
  }

  /**
   * Whether this node cannot run the saga as it started (docs/design.md §3.11). A blocked saga
   * stays in memory, shows BLOCKED, and looks again when it is woken or recovers elsewhere.
   */
  private boolean blocked(Saga saga) {
    if (runnable) return false;
    String reason = definitions.cannotRun(saga.definition(), saga.version(), saga.stepNames()).orElse(null);
    if (reason == null) reason = unreadableData(saga);
    if (reason != null && blockedReason == null) {
      timers.cancel(DEADLINE_TIMER);
      log.warn("saga {} [{}] BLOCKED, sending nothing until a node that can run it does: {}", sagaId,
          saga.correlationId(), reason);
    } else if (reason == null && blockedReason != null) {
      log.info("saga {} [{}] no longer blocked: resuming", sagaId, saga.correlationId());
    }
    blockedReason = reason;
    runnable = reason == null;
    return reason != null;
  }

  private String unreadableData(Saga saga) {
    try {
      data(saga, definitionOf(saga));
      return null;
    } catch (IllegalStateException e) {
      return "its data does not read as " + definitionOf(saga).dataType().getName() + ": " + e.getCause();
    }
  }

  private void stopAwaiting() {
    if (awaiting) timers.cancel(attemptTimer(currentToken));
    awaiting = false;
  }

  private static String attemptTimer(long token) {
    return "attempt-" + token;
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

  /** The saga ended, or parked: no answer is awaited any more, and it leaves memory after a while. */
  void ended() {
    stopAwaiting();
    currentToken++;
    timers.cancel(RETRY_TIMER);
    timers.cancel(DEADLINE_TIMER);
    countAsResting();
    passivateLater();
  }

  /** The entity stopped (passivated, handed off, or its node is leaving). */
  void stopped() {
    countAsResting();
  }

  void passivateLater() {
    timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, passivateAfterEnd);
  }

  /** The saga runs (it started, or an operator resumed it): it stays in memory and counts as running. */
  void stayInMemory() {
    timers.cancel(PASSIVATE_TIMER);
    countAsRunning();
  }

  private void countAsRunning() {
    if (counted) return;
    counted = true;
    running.add();
  }

  private void countAsResting() {
    if (!counted) return;
    counted = false;
    running.remove();
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
        String key = StepContext.idempotencyKey(sagaId, saga.steps().get(i).name());
        step.settlement().settled(data(saga, definition), key, now.plus(step.timeout()));
      } catch (RuntimeException e) {
        log.warn("saga {}: settlement notice of step {} failed: {}", sagaId, step.name(), e.toString());
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
