package io.sagaorchestrator.order;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotSelectionCriteria;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.Recovery;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sagaorchestrator.CborSerializable;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.orchestrator.AskFailures;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaLog;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * An order as the client placed it. Its first event makes it durable, then it starts its saga
 * (the saga id is the order id) and answers. An order stored just before a crash, whose saga never
 * started, is woken by the {@link SagaKeeper} (see {@link #sagaStarter}), and starts it then; the
 * order need not stay in memory for that. A repeat with the same body answers the same; a
 * different body is a conflict.
 *
 * <p>The order's status is not stored here: it follows from its saga's status, so the two can
 * never disagree.
 */
public final class OrderEntity
    extends EventSourcedBehaviorWithEnforcedReplies<OrderEntity.Command, OrderEntity.Event, OrderEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Order");

  /**
   * Confirmed orders passivate after {@code passivateAfter}. {@code askTimeout} is the client's
   * patience: the order answers Unavailable within half of it.
   */
  public static void init(ActorSystem<?> system, Duration askTimeout, Duration passivateAfter) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), askTimeout, passivateAfter, ctx.getShard())));
  }

  /** What the keeper announces for orders: an order placed promises a saga of the same id. */
  public static SagaKeeper.Announcement sagaAnnouncement(ActorSystem<?> system) {
    return new SagaKeeper.Announcement(ENTITY_TYPE_KEY.name(), OrderPlaced.class, sagaStarter(system));
  }

  /** Wakes an order whose saga has not started: its recovery (or {@link EnsureSaga}) starts it. */
  private static Consumer<String> sagaStarter(ActorSystem<?> system) {
    return orderId -> ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, orderId)
        .tell(EnsureSaga.INSTANCE);
  }

  public static Behavior<Command> create(
      String orderId, Duration askTimeout, Duration passivateAfter, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> {
      // Named here, Akka skips finding the logger's class by walking the stack at every entity start.
      context.setLoggerName(OrderEntity.class);
      return Behaviors.withTimers(timers -> new OrderEntity(orderId, askTimeout, passivateAfter, shard, context, timers));
    });
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record PlaceOrder(OrderData order, String idempotencyKey, String correlationId, ActorRef<PlaceOrderReply> replyTo)
      implements Command {}

  public record GetOrder(ActorRef<StatusReply<PlacedOrder>> replyTo) implements Command {}

  /**
   * Start this order's saga if the order is stored, even if its start was confirmed: a saga that
   * confirmed is durable only with its first step's outcome.
   */
  public enum EnsureSaga implements Command { INSTANCE }

  /** The saga's answer to a start; {@code replyTo} is absent when no client waits for it. */
  private record SagaStartAnswered(String error, boolean created, ActorRef<PlaceOrderReply> replyTo, int attempt) implements Command {}

  private record RetrySagaStart(int attempt) implements Command {}

  private enum PassivateIdle implements Command { INSTANCE }

  public sealed interface PlaceOrderReply extends CborSerializable {}

  /** The order is persisted and its saga exists; {@code created} is false for a repeat. */
  public record Accepted(String orderId, boolean created) implements PlaceOrderReply {}

  public record Conflict(String message) implements PlaceOrderReply {}

  /** The order is persisted but its saga could not be confirmed in time: the client should retry. */
  public record Unavailable(String message) implements PlaceOrderReply {}

  public record PlacedOrder(OrderData order, String idempotencyKey, String correlationId, Instant placedAt)
      implements CborSerializable {}

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  /** Stored in a second form: {@code at} became {@code placedAt} ({@link OrderPlacedMigration} reads the first). */
  public record OrderPlaced(OrderData order, String idempotencyKey, String correlationId, Instant placedAt) implements Event {}

  // ---- state ----------------------------------------------------------------------------

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = NoOrder.class, name = "none"),
    @JsonSubTypes.Type(value = Placed.class, name = "placed")
  })
  public sealed interface State extends CborSerializable {}

  public record NoOrder() implements State {}

  public record Placed(PlacedOrder placed) implements State {}

  // ---- behaviour ------------------------------------------------------------------------

  private static final String RETRY_TIMER = "retry-saga-start";
  private static final String PASSIVATE_TIMER = "passivate";
  private static final RetryPolicy SAGA_START_RETRY =
      RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private final String orderId;
  /** The order's lines carry its saga's id (the order's) and correlation id. */
  private final SagaLog log;
  private final Duration askTimeout;
  private final Duration passivateAfter;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private boolean sagaConfirmed;

  private OrderEntity(
      String orderId,
      Duration askTimeout,
      Duration passivateAfter,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), orderId));
    this.orderId = orderId;
    this.log = new SagaLog(orderId, context.getLog());
    this.askTimeout = askTimeout;
    this.passivateAfter = passivateAfter;
    this.shard = shard;
    this.context = context;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new NoOrder();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  /**
   * An order holds one event, so it never reaches a snapshot: its start (one per order placed)
   * skips the snapshot store's query. Events are never deleted, so the replay is complete anyway.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(NoOrder.class)
        .onCommand(PlaceOrder.class, this::onPlaceNew)
        .onCommand(GetOrder.class, c -> Effect().reply(c.replyTo(), StatusReply.error("order " + orderId + " not found")))
        .onCommand(EnsureSaga.class, c -> {
          timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, passivateAfter);
          return Effect().noReply();
        });
    builder.forStateType(Placed.class)
        .onCommand(PlaceOrder.class, this::onPlaceAgain)
        .onCommand(GetOrder.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.placed())));
    builder.forAnyState().onCommand(SagaStartAnswered.class, this::onSagaStartAnswered);
    builder.forStateType(Placed.class).onCommand(RetrySagaStart.class, (s, c) -> {
      ensureSaga(s.placed(), false, null, c.attempt());
      return Effect().noReply();
    });
    builder.forStateType(Placed.class).onCommand(EnsureSaga.class, (s, c) -> {
      ensureSaga(s.placed(), false, null, 1);
      return Effect().noReply();
    });
    builder.forAnyState().onCommand(RetrySagaStart.class, c -> Effect().noReply());
    builder.forAnyState().onCommand(PassivateIdle.class, (state, c) -> {
      // An order whose saga is not confirmed stays and keeps trying to start it.
      if (state instanceof NoOrder || sagaConfirmed) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      return Effect().noReply();
    });
    return builder.build();
  }

  private ReplyEffect<Event, State> onPlaceNew(PlaceOrder command) {
    timers.cancel(PASSIVATE_TIMER);
    var placed = new OrderPlaced(command.order(), command.idempotencyKey(), command.correlationId(), Instant.now());
    return Effect().persist(placed)
        .thenRun(state -> ensureSaga(((Placed) state).placed(), true, command.replyTo(), 1))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onPlaceAgain(Placed state, PlaceOrder command) {
    if (!state.placed().order().equals(command.order())) {
      return Effect().reply(command.replyTo(),
          new Conflict("order " + orderId + " exists with a different body"));
    }
    ensureSaga(state.placed(), false, command.replyTo(), 1);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSagaStartAnswered(State state, SagaStartAnswered answer) {
    if (answer.error() != null) {
      // The order is stored: keep trying until its saga exists (for instance while shards move after a node loss).
      Duration backoff = SAGA_START_RETRY.backoffAfter(answer.attempt(), ThreadLocalRandom.current()::nextDouble);
      log.warn("order {}: saga start not confirmed (attempt {}): {}; retrying in {} ms",
          orderId, answer.attempt(), answer.error(), backoff.toMillis());
      timers.startSingleTimer(RETRY_TIMER, new RetrySagaStart(answer.attempt() + 1), backoff);
      if (answer.replyTo() == null) return Effect().noReply();
      return Effect().reply(answer.replyTo(), new Unavailable("order " + orderId + " is stored but its saga did not confirm in time; it will start, retry to see it"));
    }
    timers.cancel(RETRY_TIMER);
    sagaConfirmed = true;
    // The saga exists and runs on its own: this order may leave memory.
    timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, passivateAfter);
    if (answer.replyTo() == null) return Effect().noReply();
    return Effect().reply(answer.replyTo(), new Accepted(orderId, answer.created()));
  }

  /**
   * Starting a saga is idempotent: a saga that exists acknowledges and starts nothing. The saga is
   * announced: {@code OrderPlaced} is stored and the keeper knows it ({@link #sagaAnnouncement}).
   */
  private void ensureSaga(PlacedOrder placed, boolean created, ActorRef<PlaceOrderReply> replyTo, int attempt) {
    log.correlationIs(placed.correlationId());
    CompletionStage<Done> started = ClusterSharding.get(context.getSystem())
        .entityRefFor(SagaEntity.ENTITY_TYPE_KEY, orderId)
        .askWithStatus(reply -> SagaEntity.StartSaga.of(OrderSaga.TYPE, placed.order(),
            placed.correlationId(), true, reply), askTimeout.dividedBy(2));
    context.pipeToSelf(started, (done, error) -> new SagaStartAnswered(
        AskFailures.messageOf(error), created, replyTo, attempt));
  }

  @Override
  public SignalHandler<State> signalHandler() {
    // An order stored just before a crash, whose saga start was never confirmed, gets its saga here.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Placed placed) {
            log.correlationIs(placed.placed().correlationId());
            log.debug("order {} [{}] recovered: making sure its saga exists", orderId, placed.placed().correlationId());
            ensureSaga(placed.placed(), false, null, 1);
          }
          else timers.startSingleTimer(PASSIVATE_TIMER, PassivateIdle.INSTANCE, passivateAfter);
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(OrderPlaced.class, (s, e) -> new Placed(new PlacedOrder(e.order(), e.idempotencyKey(), e.correlationId(), e.placedAt())))
        .build();
  }
}
