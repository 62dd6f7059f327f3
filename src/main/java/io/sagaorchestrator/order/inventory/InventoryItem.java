package io.sagaorchestrator.order.inventory;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.sagaorchestrator.CborSerializable;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.participants.IdempotentLedger;
import io.sagaorchestrator.participants.RecordRetention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Stock of one SKU: the inventory participant. Reservations are keyed by the saga's
 * idempotency key, answered once and repeated with the first outcome; a release that overtakes
 * its reservation leaves a tombstone that refuses the late reservation. A reservation that
 * arrives after its deadline is refused unapplied; records of ended sagas are forgotten (see
 * {@link RecordRetention}).
 */
public final class InventoryItem
    extends EventSourcedBehaviorWithEnforcedReplies<InventoryItem.Command, InventoryItem.Event, IdempotentLedger> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "InventoryItem");

  public static void init(ActorSystem<?> system, Duration forgetAfter) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), forgetAfter)));
  }

  public static Behavior<Command> create(String sku, Duration forgetAfter) {
    return Behaviors.withTimers(timers -> new InventoryItem(sku, new RecordRetention<>(forgetAfter, timers, ForgetDue.INSTANCE)));
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record Restock(int quantity, ActorRef<StatusReply<ItemView>> replyTo) implements Command {}

  public record ReserveStock(String orderId, int quantity, String idempotencyKey, Instant notAfter, ActorRef<StepOutcome> replyTo)
      implements Command {}

  public record ReleaseStock(String orderId, String idempotencyKey, ActorRef<StepOutcome> replyTo) implements Command {}

  public record GetItem(ActorRef<ItemView> replyTo) implements Command {}

  /**
   * The saga owning this key has ended and none of its commands may be applied after
   * {@code actionsNotAfter}: the record may go once that and the grace period have passed.
   */
  public record Forget(String idempotencyKey, Instant actionsNotAfter) implements Command {}

  private enum ForgetDue implements Command { INSTANCE }

  public record ItemView(String sku, long restocked, long available, Map<String, Integer> reservations) implements CborSerializable {}

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Restocked(int quantity) implements Event {}

  public record StockReserved(String orderId, int quantity, String idempotencyKey) implements Event {}

  public record ReservationRejected(String orderId, String idempotencyKey, String reason) implements Event {}

  public record StockReleased(String orderId, int quantity, String idempotencyKey) implements Event {}

  /** A release for a reservation never made: remembered so that the reservation, if it comes late, is refused. */
  public record ReleaseTombstoned(String orderId, String idempotencyKey) implements Event {}

  public record RecordsForgotten(List<String> idempotencyKeys) implements Event {}

  // ---- behaviour ------------------------------------------------------------------------

  private final String sku;
  private final RecordRetention<Command> retention;

  private InventoryItem(String sku, RecordRetention<Command> retention) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), sku));
    this.sku = sku;
    this.retention = retention;
  }

  @Override
  public IdempotentLedger emptyState() {
    return IdempotentLedger.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return IdempotentLedger.SNAPSHOTS;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, IdempotentLedger> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Restock.class, this::onRestock)
        .onCommand(ReserveStock.class, this::onReserve)
        .onCommand(ReleaseStock.class, this::onRelease)
        .onCommand(GetItem.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(Forget.class, this::onForget)
        .onCommand(ForgetDue.class, (state, due) -> onForgetDue(state))
        .build();
  }

  private ReplyEffect<Event, IdempotentLedger> onRestock(IdempotentLedger state, Restock command) {
    if (command.quantity() <= 0) return Effect().reply(command.replyTo(), StatusReply.error("quantity must be positive"));
    return Effect().persist(new Restocked(command.quantity()))
        .thenReply(command.replyTo(), s -> StatusReply.success(view(s)));
  }

  private ReplyEffect<Event, IdempotentLedger> onReserve(IdempotentLedger state, ReserveStock command) {
    Optional<StepOutcome> answered = state.answerWithoutApplying(command.idempotencyKey(), command.notAfter(), "reservation");
    if (answered.isPresent()) return Effect().reply(command.replyTo(), answered.get());
    if (state.available() < command.quantity()) {
      String reason = "insufficient stock of " + sku + ": available " + state.available() + ", needed " + command.quantity();
      return Effect().persist(new ReservationRejected(command.orderId(), command.idempotencyKey(), reason))
          .thenReply(command.replyTo(), s -> new StepOutcome.Rejected(reason));
    }
    return Effect().persist(new StockReserved(command.orderId(), command.quantity(), command.idempotencyKey()))
        .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
  }

  private ReplyEffect<Event, IdempotentLedger> onRelease(IdempotentLedger state, ReleaseStock command) {
    return switch (state.undo(command.idempotencyKey())) {
      case TOMBSTONE -> Effect().persist(new ReleaseTombstoned(command.orderId(), command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> new StepOutcome.Succeeded("nothing to release"));
      case GIVE_BACK -> Effect().persist(new StockReleased(command.orderId(), Math.toIntExact(state.heldUnder(command.idempotencyKey())), command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
      case NOTHING -> Effect().reply(command.replyTo(), new StepOutcome.Succeeded("nothing to release"));
    };
  }

  private ReplyEffect<Event, IdempotentLedger> onForget(Forget command) {
    retention.forgetLater(command.idempotencyKey(), command.actionsNotAfter());
    return Effect().noReply();
  }

  private ReplyEffect<Event, IdempotentLedger> onForgetDue(IdempotentLedger state) {
    List<String> due = retention.due(state.byKey()::containsKey);
    if (due.isEmpty()) return Effect().noReply();
    return Effect().persist(new RecordsForgotten(due)).thenNoReply();
  }

  private ItemView view(IdempotentLedger state) {
    Map<String, Integer> reservations = new TreeMap<>();
    state.heldByOrder().forEach((orderId, held) -> reservations.put(orderId, Math.toIntExact(held)));
    return new ItemView(sku, state.added(), state.available(), reservations);
  }

  @Override
  public EventHandler<IdempotentLedger, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Restocked.class, (s, e) -> s.add(e.quantity()))
        .onEvent(StockReserved.class, (s, e) -> s.hold(e.idempotencyKey(), e.orderId(), e.quantity()))
        .onEvent(ReservationRejected.class, (s, e) -> s.reject(e.idempotencyKey(), e.orderId(), e.reason()))
        .onEvent(StockReleased.class, (s, e) -> s.giveBack(e.idempotencyKey(), e.orderId(), e.quantity()))
        .onEvent(ReleaseTombstoned.class, (s, e) -> s.tombstone(e.idempotencyKey(), e.orderId()))
        .onEvent(RecordsForgotten.class, (s, e) -> s.forget(e.idempotencyKeys()))
        .build();
  }
}
