package io.sagaorchestrator.orchestrator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.pattern.StatusReply;
import akka.persistence.typed.javadsl.ReplyEffect;
import io.sagaorchestrator.orchestrator.SagaEntity.AwaitSettled;
import io.sagaorchestrator.orchestrator.SagaEntity.CancelSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.Command;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.ControlReply;
import io.sagaorchestrator.orchestrator.SagaEntity.DeadlineReached;
import io.sagaorchestrator.orchestrator.SagaEntity.Event;
import io.sagaorchestrator.orchestrator.SagaEntity.LastStepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.ResumeSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.RetryDue;
import io.sagaorchestrator.orchestrator.SagaEntity.Saga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaParked;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaResumed;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.StartSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.State;
import io.sagaorchestrator.orchestrator.SagaEntity.StepAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.StepCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRefused;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRejected;
import io.sagaorchestrator.orchestrator.SagaEntity.StepResultReceived;
import io.sagaorchestrator.orchestrator.SagaEntity.StepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.Summary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The command handlers that start a saga and move it forward or back: a step's answer, a retry
 * or the deadline coming due, a wake-up, a cancel, an operator's resume. Each persists what it decided (through
 * {@link SagaEntity#persist}) and only then acts on it through the {@link StepDispatcher}
 * (docs/design.md §3.4).
 */
final class SagaProgress {
  private final SagaEntity entity;
  private final StepDispatcher dispatcher;
  private final SagaDefinitions definitions;
  private final ActorRef<SagaOutcomes.Command> outcomes;
  private final ActorContext<Command> context;
  private final String sagaId;
  private final SagaMetrics metrics;
  private final SagaLog log;

  /** Who waits for this saga to end or park ({@link AwaitSettled}). */
  private final List<ActorRef<StatusReply<Summary>>> awaitingSettlement = new ArrayList<>();

  SagaProgress(SagaEntity entity, StepDispatcher dispatcher, SagaDefinitions definitions, ActorRef<SagaOutcomes.Command> outcomes,
      ActorContext<Command> context, String sagaId, SagaMetrics metrics, SagaLog log) {
    this.entity = entity;
    this.dispatcher = dispatcher;
    this.definitions = definitions;
    this.outcomes = outcomes;
    this.context = context;
    this.sagaId = sagaId;
    this.metrics = metrics;
    this.log = log;
  }

  ReplyEffect<Event, State> onStart(StartSaga command) {
    var found = definitions.latest(command.definition());
    if (found.isEmpty()) {
      return entity.effects().reply(command.replyTo(), StatusReply.error("unknown saga definition " + command.definition()));
    }
    SagaDefinition<?> definition = found.get();
    List<String> stepNames = definition.steps().stream().map(SagaStep::name).toList();
    var started = new SagaStarted(sagaId, definition.name(), definition.version(), stepNames, command.data(),
        command.correlationId(), Instant.now());
    dispatcher.stayInMemory();
    log.correlationIs(command.correlationId());
    metrics.started(definition.name());
    if (!command.announced()) {
      return entity.effects().persist(started)
          .thenRun(state -> run((Saga) state, definition))
          .thenReply(command.replyTo(), state -> StatusReply.ack());
    }
    // Lost before its first write, the saga is started again by the keeper, through its starter.
    entity.holdUnstored(started);
    run(SagaFold.started(started), definition);
    return entity.effects().reply(command.replyTo(), StatusReply.ack());
  }

  /** The same start again is answered as the first was; another definition or other data under this id is refused. */
  ReplyEffect<Event, State> onStartAgain(Saga saga, StartSaga command) {
    if (!saga.definition().equals(command.definition()) || !SagaData.same(saga.data(), command.data())) {
      return entity.effects().reply(command.replyTo(), StatusReply.error(
          "saga " + sagaId + " exists already, on definition " + saga.definition() + (saga.definition().equals(command.definition())
              ? " with other data" : "")));
    }
    return entity.effects().reply(command.replyTo(), StatusReply.ack());
  }

  private void run(Saga saga, SagaDefinition<?> definition) {
    log.debug("saga {} [{}] started on {}", sagaId, saga.correlationId(), definition.id());
    dispatcher.resume(saga);
  }

  /** A BLOCKED saga looks again at this node's definitions (they may have been registered since); any other ignores it. */
  ReplyEffect<Event, State> onWake(Saga saga) {
    if (dispatcher.blockedReason() != null) dispatcher.resume(saga);
    return entity.effects().none().thenNoReply();
  }

  ReplyEffect<Event, State> onAwaitSettled(Saga saga, AwaitSettled command) {
    if (saga.status().isEnded() || saga.status() == SagaStatus.PARKED) {
      return entity.effects().reply(command.replyTo(), StatusReply.success(entity.summary(saga)));
    }
    awaitingSettlement.add(command.replyTo());
    return entity.effects().noReply();
  }

  /** A BLOCKED saga accepts it too: its compensation is stored now and runs where the saga can run. */
  ReplyEffect<Event, State> onCancel(Saga saga, CancelSaga command) {
    if (saga.status().isEnded()) {
      return entity.effects().reply(command.replyTo(), new ControlReply(ControlReply.Result.CONFLICT, saga.status()));
    }
    if (saga.status() != SagaStatus.RUNNING) {
      return entity.effects().reply(command.replyTo(), new ControlReply(ControlReply.Result.ACCEPTED, entity.summary(saga).status()));
    }
    return entity.persist(new CompensationStarted(command.reason(), Instant.now()))
        .thenRun(this::afterCompensationStarted)
        .thenReply(command.replyTo(), s -> new ControlReply(ControlReply.Result.ACCEPTED, entity.summary((Saga) s).status()));
  }

  ReplyEffect<Event, State> onResume(Saga saga, ResumeSaga command) {
    if (saga.status() != SagaStatus.PARKED) {
      return entity.effects().reply(command.replyTo(), new ControlReply(ControlReply.Result.CONFLICT, entity.summary(saga).status()));
    }
    return entity.persist(new SagaResumed(Instant.now()))
        .thenRun(state -> {
          log.info("saga {} [{}] resumed by operator", sagaId, saga.correlationId());
          dispatcher.stayInMemory();
          dispatcher.dispatch((Saga) state);
        })
        .thenReply(command.replyTo(), s -> new ControlReply(ControlReply.Result.ACCEPTED, entity.summary((Saga) s).status()));
  }

  ReplyEffect<Event, State> onDeadline(Saga saga, DeadlineReached command) {
    if (saga.status() != SagaStatus.RUNNING) return unchanged();
    return entity.persist(new CompensationStarted("deadline exceeded", Instant.now()))
        .thenRun(this::afterCompensationStarted)
        .thenNoReply();
  }

  ReplyEffect<Event, State> onRetryDue(Saga saga, RetryDue command) {
    if (dispatcher.isCurrent(command.token())) dispatcher.dispatch(saga);
    return unchanged();
  }

  ReplyEffect<Event, State> onStepResult(Saga saga, StepResultReceived result) {
    if (!dispatcher.answered(result.token())) {
      log.debug("saga {}: late reply ignored ({})", sagaId, describe(result));
      return unchanged();
    }
    if (saga.status() == SagaStatus.RUNNING || saga.status() == SagaStatus.COMPENSATING) {
      metrics.attempted(saga.definition(), saga.current().name(), saga.status() == SagaStatus.COMPENSATING, answerOf(result),
          dispatcher.attemptNanos());
    }
    return switch (saga.status()) {
      case RUNNING -> onActionResult(saga, result);
      case COMPENSATING -> onCompensationResult(saga, result);
      default -> unchanged();
    };
  }

  private ReplyEffect<Event, State> onActionResult(Saga saga, StepResultReceived result) {
    int step = saga.currentStep();
    int attempt = saga.current().attempts() + 1;
    String stepName = saga.current().name();
    Instant now = Instant.now();
    if (result.outcome() instanceof StepOutcome.Succeeded) {
      if (saga.isLastStep()) return entity.persist(new LastStepSucceeded(step, attempt, now)).thenRun(this::afterEnd).thenNoReply();
      return entity.persist(new StepSucceeded(step, attempt, now)).thenRun(this::dispatch).thenNoReply();
    }
    if (result.outcome() instanceof StepOutcome.Rejected rejected) {
      if (dispatcher.definitionOf(saga).step(step).rejectionAppliesNothing()) {
        var refused = new StepRefused(step, attempt, rejected.reason(), now);
        if (saga.stepToCompensateFrom(step - 1) < 0) {
          return entity.persist(refused, new SagaCompensated(now)).thenRun(this::afterEnd).thenNoReply();
        }
        return entity.persist(refused).thenRun(this::afterCompensationStarted).thenNoReply();
      }
      String reason = SagaFold.rejectionReason(stepName, rejected.reason());
      return entity.persist(new StepRejected(step, attempt, rejected.reason(), now), new CompensationStarted(reason, now))
          .thenRun(this::afterCompensationStarted)
          .thenNoReply();
    }
    String error = describe(result);
    var failed = new StepAttemptFailed(step, attempt, error, result.timedOut(), now);
    RetryPolicy retry = dispatcher.definitionOf(saga).step(step).retry();
    if (retry.exhaustedAfter(attempt)) {
      String reason = stepName + " failed after " + attempt + " attempts: " + error;
      return entity.persist(failed, new CompensationStarted(reason, now))
          .thenRun(this::afterCompensationStarted)
          .thenNoReply();
    }
    return entity.persist(failed)
        .thenRun(state -> retry(saga, false, retry.backoffAfter(attempt, ThreadLocalRandom.current()::nextDouble)))
        .thenNoReply();
  }

  private void retry(Saga saga, boolean compensation, Duration backoff) {
    metrics.retrying(saga.definition(), saga.current().name(), compensation);
    dispatcher.scheduleRetry(backoff);
  }

  private static SagaMetrics.Answer answerOf(StepResultReceived result) {
    if (result.outcome() instanceof StepOutcome.Succeeded) return SagaMetrics.Answer.SUCCEEDED;
    if (result.outcome() instanceof StepOutcome.Rejected) return SagaMetrics.Answer.REJECTED;
    return result.timedOut() ? SagaMetrics.Answer.TIMED_OUT : SagaMetrics.Answer.FAILED;
  }

  private ReplyEffect<Event, State> onCompensationResult(Saga saga, StepResultReceived result) {
    int step = saga.currentStep();
    int attempt = saga.compensationAttempts() + 1;
    Instant now = Instant.now();
    if (result.outcome() instanceof StepOutcome.Succeeded) {
      if (saga.stepToCompensateFrom(step - 1) < 0) {
        return entity.persist(new StepCompensated(step, attempt, now), new SagaCompensated(now)).thenRun(this::afterEnd).thenNoReply();
      }
      return entity.persist(new StepCompensated(step, attempt, now)).thenRun(this::dispatch).thenNoReply();
    }
    // A compensation must be idempotent and always succeed eventually; a refusal is a failure too.
    String error = describe(result);
    var failed = new CompensationAttemptFailed(step, attempt, error, now);
    RetryPolicy retry = dispatcher.definitionOf(saga).compensationRetry();
    if (retry.exhaustedAfter(attempt)) {
      String reason = "compensation of " + saga.current().name() + " failed " + attempt + " times: " + error;
      return entity.persist(failed, new SagaParked(reason, now))
          .thenRun(state -> {
            log.warn("saga {} [{}] PARKED: {}", sagaId, saga.correlationId(), reason);
            // It waits for an operator, out of memory like an ended saga; a retry wakes it.
            dispatcher.ended();
            announceSettlement((Saga) state);
          })
          .thenNoReply();
    }
    return entity.persist(failed)
        .thenRun(state -> retry(saga, true, retry.backoffAfter(attempt, ThreadLocalRandom.current()::nextDouble)))
        .thenNoReply();
  }

  // ---- side effects (only ever after the events are stored) -----------------------------

  private void dispatch(State state) {
    dispatcher.dispatch((Saga) state);
  }

  private void afterCompensationStarted(State state) {
    Saga saga = (Saga) state;
    metrics.compensating(saga.definition());
    dispatcher.cancelRetry();
    log.debug("saga {} [{}] compensating: {}", sagaId, saga.correlationId(), saga.reason());
    dispatcher.dispatch(saga);
  }

  private void afterEnd(State state) {
    Saga saga = (Saga) state;
    dispatcher.ended();
    log.debug("saga {} [{}] ended {}", sagaId, saga.correlationId(), saga.status());
    dispatcher.settle(saga);
    announceSettlement(saga);
  }

  /** The saga ended or parked: answers who waits for that here, and announces it to the cluster. */
  private void announceSettlement(Saga saga) {
    metrics.settled(saga.definition(), saga.status());
    outcomes.tell(new SagaOutcomes.Announce(new SagaOutcomes.Settled(sagaId, saga.definition(), saga.status(), saga.reason(),
        saga.endedAt() != null ? saga.endedAt() : Instant.now())));
    if (awaitingSettlement.isEmpty()) return;
    StatusReply<Summary> answer = StatusReply.success(saga.summary());
    awaitingSettlement.forEach(waiting -> waiting.tell(answer));
    awaitingSettlement.clear();
  }

  private ReplyEffect<Event, State> unchanged() {
    return entity.effects().none().thenNoReply();
  }

  private static String describe(StepResultReceived result) {
    if (result.outcome() instanceof StepOutcome.Rejected r) return "rejected: " + r.reason();
    if (result.outcome() instanceof StepOutcome.Failed f) return "failed: " + f.reason();
    if (result.outcome() instanceof StepOutcome.Succeeded) return "succeeded";
    return result.error();
  }
}
