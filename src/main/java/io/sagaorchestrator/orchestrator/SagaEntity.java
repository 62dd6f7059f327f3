package io.sagaorchestrator.orchestrator;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EffectFactories;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The orchestrator: one sharded, event-sourced entity per saga, executing any
 * {@link SagaDefinition}. Each step's outcome is persisted before the saga acts on it; a
 * participant is called only after the outcome before it is stored, never from an event handler.
 * The first step is called at the start, and the saga's first event is stored with its outcome.
 *
 * <p>After a crash or a rebalance the {@link SagaKeeper} wakes the sagas that were running, and
 * {@link RecoveryCompleted} re-sends the in-flight command with the same idempotency key. A running
 * saga is never passivated; an ended one passivates itself.
 *
 * <p>This file holds the protocol, the events and the state (their names are the journal's and
 * the wire's), and the commands of starting and reading a saga. {@link SagaProgress} handles the
 * commands that move a saga, {@link StepDispatcher} makes its calls and keeps its timers, and
 * {@link SagaFold} applies its events.
 */
public final class SagaEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SagaEntity.Command, SagaEntity.Event, SagaEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Saga");

  /**
   * How the engine behaves around the definitions: not part of any single definition.
   * {@code metrics}: where the engine records what its sagas do ({@link SagaMetrics#NONE} for none);
   * {@code running}: where this node's sagas count themselves while they run.
   */
  public record EngineSettings(Duration passivateAfterEnd, SagaMetrics metrics, RunningSagas running) {
    public EngineSettings(Duration passivateAfterEnd) {
      this(passivateAfterEnd, SagaMetrics.NONE, new RunningSagas());
    }
  }

  /** {@code outcomes}: this node's {@link SagaOutcomes} relay, told of every saga that ends or parks here. */
  public static void init(ActorSystem<?> system, SagaDefinitions definitions, EngineSettings settings,
      ActorRef<SagaOutcomes.Command> outcomes) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_TYPE_KEY, entityContext ->
                create(entityContext.getEntityId(), definitions, settings, outcomes, entityContext.getShard()))
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  public static Behavior<Command> create(String sagaId, SagaDefinitions definitions, EngineSettings settings,
      ActorRef<SagaOutcomes.Command> outcomes, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> {
      // Named here, Akka skips finding the logger's class by walking the stack at every entity start.
      context.setLoggerName(SagaEntity.class);
      return Behaviors.withTimers(timers -> new SagaEntity(sagaId, definitions, settings, outcomes, shard, context, timers));
    });
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * Starts the saga; a repeat for a saga that exists is acknowledged and starts nothing.
   * {@code announced}: the starter has stored an event that a {@link SagaKeeper.Announcement}
   * names, so the keeper starts the saga again should it be lost before its first event. Such a
   * saga is acknowledged before anything is written, and stores its first event together with
   * its first step's outcome: one write fewer. Without that, the first event is stored before
   * the acknowledgement.
   */
  public record StartSaga(String definition, JsonNode data, String correlationId, boolean announced,
      ActorRef<StatusReply<Done>> replyTo) implements Command {

    /** A start whose data the compiler has checked against the definition's data type. */
    public static <D> StartSaga of(SagaType<D> type, D data, String correlationId, boolean announced,
        ActorRef<StatusReply<Done>> replyTo) {
      return new StartSaga(type.name(), SagaData.toTree(type.dataType().cast(data)), correlationId, announced, replyTo);
    }
  }

  /** From the {@link SagaKeeper}: arriving at a saga that is not in memory, it starts and resumes it. */
  public record Wake() implements Command {}

  public record GetSaga(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  /**
   * Answers like {@link GetSaga} once the saga has ended or is parked (at once if it is). The
   * waiting is held in memory only: a saga that leaves memory first never answers, so ask with
   * the longest wait wanted and read again on a timeout.
   */
  public record AwaitSettled(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  /** Compensate now, if the saga is still running. */
  public record CancelSaga(String reason, ActorRef<ControlReply> replyTo) implements Command {}

  /** Operator action: resume compensation of a PARKED saga with a fresh retry budget. */
  public record ResumeSaga(ActorRef<ControlReply> replyTo) implements Command {}

  sealed interface InternalCommand extends Command {}

  /** The answer to the dispatch identified by {@code token}; any other token is a late reply. */
  record StepResultReceived(long token, StepOutcome outcome, String error, boolean timedOut)
      implements InternalCommand {}

  record RetryDue(long token) implements InternalCommand {}

  enum DeadlineReached implements InternalCommand { INSTANCE }

  enum PassivateIdle implements InternalCommand { INSTANCE }

  public record ControlReply(Result result, SagaStatus status) implements CborSerializable {
    public enum Result { ACCEPTED, CONFLICT, NOT_FOUND }
  }

  /**
   * BLOCKED is never stored: it is how a RUNNING or COMPENSATING saga shows on a node that cannot
   * run the definition version it started on (docs/design.md §3.11).
   */
  public enum SagaStatus {
    RUNNING, COMPENSATING, PARKED, COMPLETED, COMPENSATED, BLOCKED;

    public boolean isEnded() {
      return this == COMPLETED || this == COMPENSATED;
    }

    /** Ended, or parked until an operator retries it: nothing runs, so it need not stay in memory. */
    public boolean isAtRest() {
      return isEnded() || this == PARKED;
    }
  }

  public enum StepStatus { PENDING, RUNNING, SUCCEEDED, REJECTED, COMPENSATING, COMPENSATED }

  public record StepView(String name, StepStatus status, int attempts, String lastError, int compensationAttempts)
      implements CborSerializable {

    StepView with(StepStatus newStatus) {
      return new StepView(name, newStatus, attempts, lastError, compensationAttempts);
    }
  }

  public record HistoryEntry(long seq, Instant at, String type, String step, String detail) implements CborSerializable {}

  public record Summary(
      String sagaId,
      String definition,
      int definitionVersion,
      SagaStatus status,
      String correlationId,
      Instant startedAt,
      Instant endedAt,
      String reason,
      List<StepView> steps,
      List<HistoryEntry> history)
      implements CborSerializable {}

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record SagaStarted(
      String sagaId, String definition, int version, List<String> stepNames, JsonNode data, String correlationId, Instant at)
      implements Event {}

  public record StepSucceeded(int step, int attempt, Instant at) implements Event {}

  /** A transient failure or a timeout: the step may be retried. */
  public record StepAttemptFailed(int step, int attempt, String error, boolean timedOut, Instant at) implements Event {}

  public record StepRejected(int step, int attempt, String reason, Instant at) implements Event {}

  /**
   * A rejection from a step whose rejection applies nothing ({@link SagaStep#rejectionAppliesNothing()}),
   * and with it the start of compensation from the step before: one journal row where
   * {@link StepRejected} and {@link CompensationStarted} were two, and the rejected step itself
   * is not compensated. The history shows those two.
   */
  public record StepRefused(int step, int attempt, String reason, Instant at) implements Event {}

  public record CompensationStarted(String reason, Instant at) implements Event {}

  public record StepCompensated(int step, int attempt, Instant at) implements Event {}

  public record CompensationAttemptFailed(int step, int attempt, String error, Instant at) implements Event {}

  public record SagaParked(String reason, Instant at) implements Event {}

  public record SagaResumed(Instant at) implements Event {}

  public record SagaCompleted(Instant at) implements Event {}

  /**
   * The last step succeeded, which completes the saga: one journal row where {@link StepSucceeded}
   * and {@link SagaCompleted} were two (sagas stored before still have those two, and replay alike).
   */
  public record LastStepSucceeded(int step, int attempt, Instant at) implements Event {}

  public record SagaCompensated(Instant at) implements Event {}

  // ---- state ----------------------------------------------------------------------------

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = NotStarted.class, name = "not-started"),
    @JsonSubTypes.Type(value = Saga.class, name = "saga")
  })
  public sealed interface State extends CborSerializable {}

  public record NotStarted() implements State {}

  /**
   * A started saga. {@code currentStep} is the step running (RUNNING) or being compensated
   * (COMPENSATING, PARKED); {@code compensationAttempts} counts failed attempts of that compensation.
   */
  public record Saga(
      String sagaId,
      String definition,
      int version,
      JsonNode data,
      String correlationId,
      Instant startedAt,
      Instant endedAt,
      SagaStatus status,
      int currentStep,
      int compensationAttempts,
      String reason,
      List<StepView> steps,
      List<HistoryEntry> history)
      implements State {

    public Saga {
      steps = List.copyOf(steps);
      history = List.copyOf(history);
    }

    StepView current() {
      return steps.get(currentStep);
    }

    boolean isLastStep() {
      return currentStep == steps.size() - 1;
    }

    /** The highest step at or below {@code from} that may have applied and is not undone yet. */
    int stepToCompensateFrom(int from) {
      for (int i = from; i >= 0; i--) {
        StepStatus s = steps.get(i).status();
        if (s != StepStatus.PENDING && s != StepStatus.COMPENSATED) return i;
      }
      return -1;
    }

    Saga record(Event event, String stepName, String detail) {
      List<HistoryEntry> next = new ArrayList<>(history);
      next.add(new HistoryEntry(history.size() + 1L, event.at(), event.getClass().getSimpleName(), stepName, detail));
      return new Saga(sagaId, definition, version, data, correlationId, startedAt, endedAt, status, currentStep,
          compensationAttempts, reason, steps, next);
    }

    Saga withStep(int index, StepView view) {
      List<StepView> next = new ArrayList<>(steps);
      next.set(index, view);
      return new Saga(sagaId, definition, version, data, correlationId, startedAt, endedAt, status, currentStep,
          compensationAttempts, reason, next, history);
    }

    Saga with(SagaStatus newStatus, int newCurrentStep, int newCompensationAttempts, String newReason, Instant newEndedAt) {
      return new Saga(sagaId, definition, version, data, correlationId, startedAt, newEndedAt, newStatus, newCurrentStep,
          newCompensationAttempts, newReason, steps, history);
    }

    public Summary summary() {
      return new Summary(sagaId, definition, version, status, correlationId, startedAt, endedAt, reason, steps, history);
    }

    /** The saga less its data: what the read side keeps of it. */
    public Saga withoutData() {
      return new Saga(sagaId, definition, version, null, correlationId, startedAt, endedAt, status, currentStep,
          compensationAttempts, reason, steps, history);
    }

    List<String> stepNames() {
      return steps.stream().map(StepView::name).toList();
    }
  }

  // ---- behaviour ------------------------------------------------------------------------

  private final String sagaId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> context;
  private final StepDispatcher dispatcher;
  private final SagaProgress progress;

  private final SagaLog log;

  /** The first event of an announced saga running its first step: stored with that step's outcome. */
  private SagaStarted unstoredStart;

  private SagaEntity(
      String sagaId,
      SagaDefinitions definitions,
      EngineSettings settings,
      ActorRef<SagaOutcomes.Command> outcomes,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), sagaId));
    this.sagaId = sagaId;
    this.log = new SagaLog(sagaId, context.getLog());
    this.shard = shard;
    this.context = context;
    this.dispatcher = new StepDispatcher(sagaId, definitions, settings.passivateAfterEnd(), settings.running(), context, timers,
        log);
    this.progress = new SagaProgress(this, dispatcher, definitions, outcomes, context, sagaId, settings.metrics(), log);
  }

  @Override
  public State emptyState() {
    return new NotStarted();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    // Registered first, so it wins over the handlers of a saga that was never started.
    onStartedSaga(builder.forState(s -> s instanceof NotStarted && unstoredStart != null), s -> SagaFold.started(unstoredStart));
    builder.forStateType(NotStarted.class)
        .onCommand(StartSaga.class, progress::onStart)
        .onCommand(GetSaga.class, c -> Effect().reply(c.replyTo(), StatusReply.error("saga " + sagaId + " not found")))
        .onCommand(AwaitSettled.class, c -> Effect().reply(c.replyTo(), StatusReply.error("saga " + sagaId + " not found")))
        .onCommand(CancelSaga.class, c -> Effect().reply(c.replyTo(), new ControlReply(ControlReply.Result.NOT_FOUND, null)))
        .onCommand(ResumeSaga.class, c -> Effect().reply(c.replyTo(), new ControlReply(ControlReply.Result.NOT_FOUND, null)))
        .onCommand(PassivateIdle.class, c -> passivate())
        .onAnyCommand(c -> Effect().none().thenNoReply());
    onStartedSaga(builder.forStateType(Saga.class), s -> s);
    return builder.build();
  }

  /** The commands of a saga that runs or ran; {@code saga} reads the saga from the entity's state. */
  private <S extends State> void onStartedSaga(CommandHandlerWithReplyBuilderByState<Command, Event, S, State> handlers,
      Function<S, Saga> saga) {
    handlers
        .onCommand(StartSaga.class, (s, c) -> progress.onStartAgain(saga.apply(s), c))
        .onCommand(GetSaga.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(saga.apply(s)))))
        .onCommand(AwaitSettled.class, (s, c) -> progress.onAwaitSettled(saga.apply(s), c))
        .onCommand(CancelSaga.class, (s, c) -> progress.onCancel(saga.apply(s), c))
        .onCommand(ResumeSaga.class, (s, c) -> progress.onResume(saga.apply(s), c))
        .onCommand(StepResultReceived.class, (s, c) -> progress.onStepResult(saga.apply(s), c))
        .onCommand(RetryDue.class, (s, c) -> progress.onRetryDue(saga.apply(s), c))
        .onCommand(DeadlineReached.class, (s, c) -> progress.onDeadline(saga.apply(s), c))
        .onCommand(Wake.class, (s, c) -> progress.onWake(saga.apply(s)))
        .onCommand(PassivateIdle.class, (s, c) -> saga.apply(s).status().isAtRest() ? passivate() : Effect().none().thenNoReply());
  }

  /** Persists {@code events}, preceded by the saga's {@link SagaStarted} if that is not stored yet. */
  EffectBuilder<Event, State> persist(Event... events) {
    List<Event> all = new ArrayList<>(events.length + 1);
    if (unstoredStart != null) all.add(unstoredStart);
    all.addAll(List.of(events));
    // Commands wait while the events are written; a failed write stops the entity and its starter's keeper restarts it.
    unstoredStart = null;
    return Effect().persist(all);
  }

  /** An announced saga's first event, held until it is stored with its first step's outcome. */
  void holdUnstored(SagaStarted started) {
    unstoredStart = started;
  }

  EffectFactories<Event, State> effects() {
    return Effect();
  }

  /** The saga as the API shows it: BLOCKED, with the reason, while this node cannot run it. */
  Summary summary(Saga saga) {
    String blocked = dispatcher.blockedReason();
    if (blocked == null || (saga.status() != SagaStatus.RUNNING && saga.status() != SagaStatus.COMPENSATING)) return saga.summary();
    String was = saga.status() + (saga.reason() == null ? "" : ": " + saga.reason());
    return new Summary(sagaId, saga.definition(), saga.version(), SagaStatus.BLOCKED, saga.correlationId(), saga.startedAt(), null,
        blocked + " (the saga was " + was + ")", saga.steps(), saga.history());
  }

  private ReplyEffect<Event, State> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().none().thenNoReply();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Saga recovered) log.correlationIs(recovered.correlationId());
          if (state instanceof Saga saga && (saga.status() == SagaStatus.RUNNING || saga.status() == SagaStatus.COMPENSATING)) {
            log.debug("saga {} [{}] recovered {}: resuming step {}", sagaId, saga.correlationId(),
                saga.status(), saga.current().name());
            dispatcher.resume(saga);
          } else {
            // Woken only to answer a query or an operator (or by a keeper that had not yet seen it end): leave again.
            dispatcher.passivateLater();
          }
        })
        .onSignal(PostStop.instance(), state -> dispatcher.stopped())
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return SagaFold.eventHandler(newEventHandlerBuilder());
  }
}
