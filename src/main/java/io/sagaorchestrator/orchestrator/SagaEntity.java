package io.sagaorchestrator.orchestrator;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 */
public final class SagaEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SagaEntity.Command, SagaEntity.Event, SagaEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Saga");

  /** How the engine behaves around the definitions: not part of any single definition. */
  public record EngineSettings(Duration passivateAfterEnd) {}

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
      ActorRef<StatusReply<Done>> replyTo) implements Command {}

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

  private sealed interface InternalCommand extends Command {}

  /** The answer to the dispatch identified by {@code token}; any other token is a late reply. */
  private record StepResultReceived(long token, StepOutcome outcome, String error, boolean timedOut)
      implements InternalCommand {}

  private record RetryDue(long token) implements InternalCommand {}

  private enum DeadlineReached implements InternalCommand { INSTANCE }

  private enum PassivateIdle implements InternalCommand { INSTANCE }

  public record ControlReply(Result result, SagaStatus status) implements CborSerializable {
    public enum Result { ACCEPTED, CONFLICT, NOT_FOUND }
  }

  public enum SagaStatus {
    RUNNING, COMPENSATING, PARKED, COMPLETED, COMPENSATED;

    public boolean isEnded() {
      return this == COMPLETED || this == COMPENSATED;
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

    static Saga started(SagaStarted e) {
      List<StepView> steps = new ArrayList<>();
      for (String name : e.stepNames()) steps.add(new StepView(name, StepStatus.PENDING, 0, null, 0));
      steps.set(0, steps.get(0).with(StepStatus.RUNNING));
      return new Saga(e.sagaId(), e.definition(), e.version(), e.data(), e.correlationId(), e.at(), null,
              SagaStatus.RUNNING, 0, 0, null, steps, List.of())
          .record(e, null, "definition " + e.definition() + "@v" + e.version());
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

    Summary summary() {
      return new Summary(sagaId, definition, version, status, correlationId, startedAt, endedAt, reason, steps, history);
    }
  }

  // ---- behaviour ------------------------------------------------------------------------

  private static final String RETRY_TIMER = "retry";
  private static final String DEADLINE_TIMER = "deadline";
  private static final String PASSIVATE_TIMER = "passivate";

  private final String sagaId;
  private final SagaDefinitions definitions;
  private final EngineSettings settings;
  private final ActorRef<SagaOutcomes.Command> outcomes;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  /** Who waits for this saga to end or park ({@link AwaitSettled}). */
  private final List<ActorRef<StatusReply<Summary>>> awaitingSettlement = new ArrayList<>();

  /** Identifies the one dispatch whose answer is awaited; replies carrying another are late. */
  private long currentToken;

  private Object decodedData;

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
    this.definitions = definitions;
    this.settings = settings;
    this.outcomes = outcomes;
    this.shard = shard;
    this.context = context;
    this.timers = timers;
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
    onStartedSaga(builder.forState(s -> s instanceof NotStarted && unstoredStart != null), s -> Saga.started(unstoredStart));
    builder.forStateType(NotStarted.class)
        .onCommand(StartSaga.class, this::onStart)
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
        .onCommand(StartSaga.class, (s, c) -> onStartAgain(saga.apply(s), c))
        .onCommand(GetSaga.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(saga.apply(s).summary())))
        .onCommand(AwaitSettled.class, (s, c) -> onAwaitSettled(saga.apply(s), c))
        .onCommand(CancelSaga.class, (s, c) -> onCancel(saga.apply(s), c))
        .onCommand(ResumeSaga.class, (s, c) -> onResume(saga.apply(s), c))
        .onCommand(StepResultReceived.class, (s, c) -> onStepResult(saga.apply(s), c))
        .onCommand(RetryDue.class, (s, c) -> onRetryDue(saga.apply(s), c))
        .onCommand(DeadlineReached.class, (s, c) -> onDeadline(saga.apply(s), c))
        .onCommand(Wake.class, (s, c) -> Effect().none().thenNoReply())
        .onCommand(PassivateIdle.class, (s, c) -> saga.apply(s).status().isEnded() ? passivate() : Effect().none().thenNoReply());
  }

  private ReplyEffect<Event, State> onStart(StartSaga command) {
    var found = definitions.latest(command.definition());
    if (found.isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error("unknown saga definition " + command.definition()));
    }
    SagaDefinition<?> definition = found.get();
    List<String> stepNames = definition.steps().stream().map(SagaStep::name).toList();
    var started = new SagaStarted(sagaId, definition.name(), definition.version(), stepNames, command.data(),
        command.correlationId(), Instant.now());
    timers.cancel(PASSIVATE_TIMER);
    if (!command.announced()) {
      return Effect().persist(started)
          .thenRun(state -> run((Saga) state, definition))
          .thenReply(command.replyTo(), state -> StatusReply.ack());
    }
    // Lost before its first write, the saga is started again by the keeper, through its starter.
    unstoredStart = started;
    run(Saga.started(started), definition);
    return Effect().reply(command.replyTo(), StatusReply.ack());
  }

  /** The same start again is answered as the first was; another definition or other data under this id is refused. */
  private ReplyEffect<Event, State> onStartAgain(Saga saga, StartSaga command) {
    if (!saga.definition().equals(command.definition()) || !SagaData.same(saga.data(), command.data())) {
      return Effect().reply(command.replyTo(), StatusReply.error(
          "saga " + sagaId + " exists already, on definition " + saga.definition() + (saga.definition().equals(command.definition())
              ? " with other data" : "")));
    }
    return Effect().reply(command.replyTo(), StatusReply.ack());
  }

  private void run(Saga saga, SagaDefinition<?> definition) {
    context.getLog().debug("saga {} [{}] started on {}", sagaId, saga.correlationId(), definition.id());
    startDeadlineTimer(saga);
    dispatch(saga);
  }

  /** Persists {@code events}, preceded by the saga's {@link SagaStarted} if that is not stored yet. */
  private EffectBuilder<Event, State> persist(Event... events) {
    List<Event> all = new ArrayList<>(events.length + 1);
    if (unstoredStart != null) all.add(unstoredStart);
    all.addAll(List.of(events));
    // Commands wait while the events are written; a failed write stops the entity and its starter's keeper restarts it.
    unstoredStart = null;
    return Effect().persist(all);
  }

  private ReplyEffect<Event, State> onAwaitSettled(Saga saga, AwaitSettled command) {
    if (saga.status().isEnded() || saga.status() == SagaStatus.PARKED) {
      return Effect().reply(command.replyTo(), StatusReply.success(saga.summary()));
    }
    awaitingSettlement.add(command.replyTo());
    return Effect().noReply();
  }

  /** The saga ended or parked: answers who waits for that here, and announces it to the cluster. */
  private void announceSettlement(Saga saga) {
    outcomes.tell(new SagaOutcomes.Announce(new SagaOutcomes.Settled(sagaId, saga.definition(), saga.status(), saga.reason(),
        saga.endedAt() != null ? saga.endedAt() : Instant.now())));
    if (awaitingSettlement.isEmpty()) return;
    StatusReply<Summary> answer = StatusReply.success(saga.summary());
    awaitingSettlement.forEach(waiting -> waiting.tell(answer));
    awaitingSettlement.clear();
  }

  private ReplyEffect<Event, State> onCancel(Saga saga, CancelSaga command) {
    return switch (saga.status()) {
      case RUNNING -> persist(new CompensationStarted(command.reason(), Instant.now()))
          .thenRun(this::afterCompensationStarted)
          .thenReply(command.replyTo(), s -> new ControlReply(ControlReply.Result.ACCEPTED, ((Saga) s).status()));
      case COMPENSATING, PARKED -> Effect().reply(command.replyTo(), new ControlReply(ControlReply.Result.ACCEPTED, saga.status()));
      case COMPLETED, COMPENSATED -> Effect().reply(command.replyTo(), new ControlReply(ControlReply.Result.CONFLICT, saga.status()));
    };
  }

  private ReplyEffect<Event, State> onResume(Saga saga, ResumeSaga command) {
    if (saga.status() != SagaStatus.PARKED) {
      return Effect().reply(command.replyTo(), new ControlReply(ControlReply.Result.CONFLICT, saga.status()));
    }
    return persist(new SagaResumed(Instant.now()))
        .thenRun(state -> {
          context.getLog().info("saga {} [{}] resumed by operator", sagaId, saga.correlationId());
          dispatch((Saga) state);
        })
        .thenReply(command.replyTo(), s -> new ControlReply(ControlReply.Result.ACCEPTED, ((Saga) s).status()));
  }

  private ReplyEffect<Event, State> onDeadline(Saga saga, DeadlineReached command) {
    if (saga.status() != SagaStatus.RUNNING) return Effect().none().thenNoReply();
    return persist(new CompensationStarted("deadline exceeded", Instant.now()))
        .thenRun(this::afterCompensationStarted)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onRetryDue(Saga saga, RetryDue command) {
    if (command.token() == currentToken) dispatch(saga);
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<Event, State> onStepResult(Saga saga, StepResultReceived result) {
    if (result.token() != currentToken) {
      context.getLog().debug("saga {}: late reply ignored ({})", sagaId, describe(result));
      return Effect().none().thenNoReply();
    }
    return switch (saga.status()) {
      case RUNNING -> onActionResult(saga, result);
      case COMPENSATING -> onCompensationResult(saga, result);
      default -> Effect().none().thenNoReply();
    };
  }

  private ReplyEffect<Event, State> onActionResult(Saga saga, StepResultReceived result) {
    int step = saga.currentStep();
    int attempt = saga.current().attempts() + 1;
    String stepName = saga.current().name();
    Instant now = Instant.now();
    if (result.outcome() instanceof StepOutcome.Succeeded) {
      if (saga.isLastStep()) {
        return persist(new LastStepSucceeded(step, attempt, now))
            .thenRun(this::afterEnd)
            .thenNoReply();
      }
      return persist(new StepSucceeded(step, attempt, now)).thenRun(this::dispatchState).thenNoReply();
    }
    if (result.outcome() instanceof StepOutcome.Rejected rejected) {
      if (definitionOf(saga).step(step).rejectionAppliesNothing()) {
        var refused = new StepRefused(step, attempt, rejected.reason(), now);
        if (saga.stepToCompensateFrom(step - 1) < 0) {
          return persist(refused, new SagaCompensated(now)).thenRun(this::afterEnd).thenNoReply();
        }
        return persist(refused).thenRun(this::afterCompensationStarted).thenNoReply();
      }
      String reason = rejectionReason(stepName, rejected.reason());
      return persist(new StepRejected(step, attempt, rejected.reason(), now), new CompensationStarted(reason, now))
          .thenRun(this::afterCompensationStarted)
          .thenNoReply();
    }
    String error = describe(result);
    var failed = new StepAttemptFailed(step, attempt, error, result.timedOut(), now);
    RetryPolicy retry = definitionOf(saga).step(step).retry();
    if (retry.exhaustedAfter(attempt)) {
      String reason = stepName + " failed after " + attempt + " attempts: " + error;
      return persist(failed, new CompensationStarted(reason, now))
          .thenRun(this::afterCompensationStarted)
          .thenNoReply();
    }
    return persist(failed)
        .thenRun(state -> scheduleRetry(retry.backoffAfter(attempt, ThreadLocalRandom.current()::nextDouble)))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onCompensationResult(Saga saga, StepResultReceived result) {
    int step = saga.currentStep();
    int attempt = saga.compensationAttempts() + 1;
    Instant now = Instant.now();
    if (result.outcome() instanceof StepOutcome.Succeeded) {
      if (saga.stepToCompensateFrom(step - 1) < 0) {
        return persist(new StepCompensated(step, attempt, now), new SagaCompensated(now))
            .thenRun(this::afterEnd)
            .thenNoReply();
      }
      return persist(new StepCompensated(step, attempt, now)).thenRun(this::dispatchState).thenNoReply();
    }
    // A compensation must be idempotent and always succeed eventually; a refusal is a failure too.
    String error = describe(result);
    var failed = new CompensationAttemptFailed(step, attempt, error, now);
    RetryPolicy retry = definitionOf(saga).compensationRetry();
    if (retry.exhaustedAfter(attempt)) {
      String reason = "compensation of " + saga.current().name() + " failed " + attempt + " times: " + error;
      return persist(failed, new SagaParked(reason, now))
          .thenRun(state -> {
            context.getLog().warn("saga {} [{}] PARKED: {}", sagaId, saga.correlationId(), reason);
            announceSettlement((Saga) state);
          })
          .thenNoReply();
    }
    return persist(failed)
        .thenRun(state -> scheduleRetry(retry.backoffAfter(attempt, ThreadLocalRandom.current()::nextDouble)))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().none().thenNoReply();
  }

  // ---- side effects (only ever after the events are stored) -----------------------------

  private void afterCompensationStarted(State state) {
    Saga saga = (Saga) state;
    timers.cancel(RETRY_TIMER);
    context.getLog().info("saga {} [{}] compensating: {}", sagaId, saga.correlationId(), saga.reason());
    dispatch(saga);
  }

  private void afterEnd(State state) {
    Saga saga = (Saga) state;
    currentToken++;
    timers.cancel(RETRY_TIMER);
    timers.cancel(DEADLINE_TIMER);
    context.getLog().debug("saga {} [{}] ended {}", sagaId, saga.correlationId(), saga.status());
    timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, settings.passivateAfterEnd());
    settle(saga);
    announceSettlement(saga);
  }

  /**
   * Tells the participants of every step that was tried that this saga is over. Every attempt
   * was sent before now, so none has a deadline later than now plus the step's timeout.
   */
  private void settle(Saga saga) {
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

  private void dispatchState(State state) {
    dispatch((Saga) state);
  }

  private void scheduleRetry(Duration backoff) {
    timers.startSingleTimer(RETRY_TIMER, new RetryDue(currentToken), backoff);
  }

  private void startDeadlineTimer(Saga saga) {
    Duration deadline = definitionOf(saga).deadline();
    Duration remaining = Duration.between(Instant.now(), saga.startedAt().plus(deadline));
    timers.startSingleTimer(DEADLINE_TIMER, DeadlineReached.INSTANCE, remaining.isNegative() ? Duration.ZERO : remaining);
  }

  /** Sends the command the saga is waiting on: the current step's action or its compensation. */
  private void dispatch(Saga saga) {
    timers.cancel(RETRY_TIMER);
    long token = ++currentToken;
    SagaDefinition<Object> definition = definitionOf(saga);
    SagaStep<Object> step = definition.step(saga.currentStep());
    boolean compensating = saga.status() == SagaStatus.COMPENSATING;
    if (!compensating && saga.status() != SagaStatus.RUNNING) return;
    int attempt = compensating ? saga.compensationAttempts() + 1 : saga.current().attempts() + 1;
    var stepContext = new StepContext(sagaId, step.name(), StepContext.idempotencyKey(sagaId, step.name()), attempt, step.timeout(),
        Instant.now().plus(step.timeout()), saga.correlationId());
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

  private Object data(Saga saga, SagaDefinition<Object> definition) {
    if (decodedData == null) decodedData = SagaData.fromTree(saga.data(), definition.dataType());
    return decodedData;
  }

  @SuppressWarnings("unchecked")
  private SagaDefinition<Object> definitionOf(Saga saga) {
    return (SagaDefinition<Object>) definitions.find(saga.definition(), saga.version())
        .orElseThrow(() -> new IllegalStateException(
            "saga " + sagaId + " needs definition " + saga.definition() + "@v" + saga.version() + ", not registered on this node"));
  }

  /** The saga's reason after a refusal: the same whether the refusal is handled live or replayed. */
  private static String rejectionReason(String stepName, String participantReason) {
    return stepName + " rejected: " + participantReason;
  }

  private static String errorText(Throwable error) {
    Throwable cause = AskFailures.unwrap(error);
    return AskFailures.isTimeout(cause) ? "timed out" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static String describe(StepResultReceived result) {
    if (result.outcome() instanceof StepOutcome.Rejected r) return "rejected: " + r.reason();
    if (result.outcome() instanceof StepOutcome.Failed f) return "failed: " + f.reason();
    if (result.outcome() instanceof StepOutcome.Succeeded) return "succeeded";
    return result.error();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Saga saga && (saga.status() == SagaStatus.RUNNING || saga.status() == SagaStatus.COMPENSATING)) {
            context.getLog().info("saga {} [{}] recovered {}: resuming step {}", sagaId, saga.correlationId(),
                saga.status(), saga.current().name());
            startDeadlineTimer(saga);
            dispatch(saga);
          } else if (!(state instanceof Saga saga && saga.status() == SagaStatus.PARKED)) {
            // Woken only to answer a query (or by a keeper that had not yet seen it end): leave again.
            timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, settings.passivateAfterEnd());
          }
        })
        .build();
  }

  // ---- event handler --------------------------------------------------------------------

  @Override
  public EventHandler<State, Event> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder.forStateType(NotStarted.class).onEvent(SagaStarted.class, (s, e) -> Saga.started(e));
    builder.forStateType(Saga.class)
        .onEvent(StepSucceeded.class, SagaEntity::stepSucceeded)
        .onEvent(LastStepSucceeded.class, (s, e) ->
            completed(stepSucceeded(s, new StepSucceeded(e.step(), e.attempt(), e.at())), new SagaCompleted(e.at())))
        .onEvent(StepAttemptFailed.class, (s, e) -> {
          StepView step = s.steps().get(e.step());
          return s.withStep(e.step(), new StepView(step.name(), step.status(), e.attempt(), e.error(), 0))
              .record(e, step.name(), "attempt " + e.attempt() + ": " + e.error());
        })
        .onEvent(StepRejected.class, SagaEntity::stepRejected)
        .onEvent(StepRefused.class, (s, e) -> {
          String reason = rejectionReason(s.steps().get(e.step()).name(), e.reason());
          return compensationStarted(stepRejected(s, new StepRejected(e.step(), e.attempt(), e.reason(), e.at())),
              new CompensationStarted(reason, e.at()), e.step() - 1);
        })
        .onEvent(CompensationStarted.class, (s, e) -> compensationStarted(s, e, s.currentStep()))
        .onEvent(StepCompensated.class, (s, e) -> {
          StepView step = s.steps().get(e.step());
          Saga next = s.withStep(e.step(), new StepView(step.name(), StepStatus.COMPENSATED, step.attempts(), step.lastError(), e.attempt()));
          int following = next.stepToCompensateFrom(e.step() - 1);
          if (following >= 0) {
            next = next.withStep(following, next.steps().get(following).with(StepStatus.COMPENSATING))
                .with(SagaStatus.COMPENSATING, following, 0, s.reason(), null);
          }
          return next.record(e, step.name(), "attempt " + e.attempt());
        })
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
        .onEvent(SagaCompleted.class, SagaEntity::completed)
        .onEvent(SagaCompensated.class, (s, e) ->
            s.with(SagaStatus.COMPENSATED, s.currentStep(), 0, s.reason(), e.at()).record(e, null, s.reason()));
    return builder.build();
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
