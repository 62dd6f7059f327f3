package io.sagaorchestrator.order.shipping;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.SnapshotSelectionCriteria;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.Recovery;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.sagaorchestrator.CborSerializable;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.time.Duration;
import java.util.Set;

/**
 * The shipment of one order: the shipping participant. It serves the countries it is given;
 * an address elsewhere is rejected. A cancellation that overtakes the scheduling leaves a
 * tombstone so the late scheduling is refused.
 */
public final class Shipment
    extends EventSourcedBehaviorWithEnforcedReplies<Shipment.Command, Shipment.Event, Shipment.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Shipment");

  /**
   * One shipment per order, touched once or twice: it passivates after {@code idleAfter} instead of
   * Akka's default two minutes, so shipments of finished orders do not pile up on the heap.
   */
  public static void init(ActorSystem<?> system, Set<String> servedCountries, Duration idleAfter) {
    Set<String> countries = Set.copyOf(servedCountries);
    ClusterShardingSettings settings = ClusterShardingSettings.create(system);
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), countries))
        .withSettings(settings.withPassivationStrategy(settings.passivationStrategySettings().withIdleEntityPassivation(idleAfter))));
  }

  public static Behavior<Command> create(String orderId, Set<String> servedCountries) {
    return Behaviors.setup(context -> {
      // Named here, Akka skips finding the logger's class by walking the stack at every entity start.
      context.setLoggerName(Shipment.class);
      return new Shipment(orderId, servedCountries);
    });
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record ScheduleShipment(String country, String city, String street, String idempotencyKey, ActorRef<StepOutcome> replyTo)
      implements Command {}

  public record CancelShipment(String idempotencyKey, ActorRef<StepOutcome> replyTo) implements Command {}

  public record GetShipment(ActorRef<ShipmentView> replyTo) implements Command {}

  public record ShipmentView(String orderId, ShipmentStatus status, String country) implements CborSerializable {
    public boolean isActive() {
      return status == ShipmentStatus.SCHEDULED;
    }
  }

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record ShipmentScheduled(String country, String city, String street, String idempotencyKey) implements Event {}

  public record ShipmentRejected(String country, String idempotencyKey, String reason) implements Event {}

  public record ShipmentCancelled(String idempotencyKey) implements Event {}

  public record CancellationTombstoned(String idempotencyKey) implements Event {}

  // ---- state ----------------------------------------------------------------------------

  public enum ShipmentStatus { NONE, SCHEDULED, REJECTED, CANCELLED, TOMBSTONE }

  public record State(ShipmentStatus status, String country, String idempotencyKey, String reason) implements CborSerializable {}

  // ---- behaviour ------------------------------------------------------------------------

  private final String orderId;
  private final Set<String> servedCountries;

  private Shipment(String orderId, Set<String> servedCountries) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), orderId));
    this.orderId = orderId;
    this.servedCountries = servedCountries;
  }

  @Override
  public State emptyState() {
    return new State(ShipmentStatus.NONE, null, null, null);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  /**
   * A shipment holds at most two events, so it never reaches a snapshot: its start (one per order)
   * skips the snapshot store's query. Events are never deleted, so the replay is complete anyway.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(ScheduleShipment.class, this::onSchedule)
        .onCommand(CancelShipment.class, this::onCancel)
        .onCommand(GetShipment.class, (s, c) -> Effect().reply(c.replyTo(), new ShipmentView(orderId, s.status(), s.country())))
        .build();
  }

  private ReplyEffect<Event, State> onSchedule(State state, ScheduleShipment command) {
    return switch (state.status()) {
      case SCHEDULED -> Effect().reply(command.replyTo(), StepOutcome.succeeded());
      case REJECTED -> Effect().reply(command.replyTo(), new StepOutcome.Rejected(state.reason()));
      case CANCELLED, TOMBSTONE -> Effect().reply(command.replyTo(), new StepOutcome.Rejected("shipment already compensated"));
      case NONE -> {
        if (!servedCountries.contains(command.country())) {
          String reason = "country " + command.country() + " is not served";
          yield Effect().persist(new ShipmentRejected(command.country(), command.idempotencyKey(), reason))
              .thenReply(command.replyTo(), s -> new StepOutcome.Rejected(reason));
        }
        yield Effect().persist(new ShipmentScheduled(command.country(), command.city(), command.street(), command.idempotencyKey()))
            .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
      }
    };
  }

  private ReplyEffect<Event, State> onCancel(State state, CancelShipment command) {
    return switch (state.status()) {
      case NONE -> Effect().persist(new CancellationTombstoned(command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> new StepOutcome.Succeeded("nothing to cancel"));
      case SCHEDULED -> Effect().persist(new ShipmentCancelled(command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
      case REJECTED, CANCELLED, TOMBSTONE -> Effect().reply(command.replyTo(), new StepOutcome.Succeeded("nothing to cancel"));
    };
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ShipmentScheduled.class, (s, e) -> new State(ShipmentStatus.SCHEDULED, e.country(), e.idempotencyKey(), null))
        .onEvent(ShipmentRejected.class, (s, e) -> new State(ShipmentStatus.REJECTED, e.country(), e.idempotencyKey(), e.reason()))
        .onEvent(ShipmentCancelled.class, (s, e) -> new State(ShipmentStatus.CANCELLED, s.country(), s.idempotencyKey(), null))
        .onEvent(CancellationTombstoned.class, (s, e) -> new State(ShipmentStatus.TOMBSTONE, null, e.idempotencyKey(), null))
        .build();
  }
}
