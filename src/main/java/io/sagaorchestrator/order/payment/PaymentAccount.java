package io.sagaorchestrator.order.payment;

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

/**
 * A customer's credit: the payment participant. Charges are keyed by the saga's idempotency
 * key, so a repeated charge answers with its first outcome, and a refund that arrives before
 * its charge leaves a tombstone that refuses the late charge. A charge that arrives after its
 * deadline is refused unapplied. Records of ended sagas are forgotten (see {@link RecordRetention}),
 * so the account's state holds the sagas in flight, not every order ever charged.
 */
public final class PaymentAccount
    extends EventSourcedBehaviorWithEnforcedReplies<PaymentAccount.Command, PaymentAccount.Event, IdempotentLedger> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "PaymentAccount");

  public static void init(ActorSystem<?> system, Duration forgetAfter) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), forgetAfter)));
  }

  public static Behavior<Command> create(String customerId, Duration forgetAfter) {
    return Behaviors.withTimers(timers ->
        new PaymentAccount(customerId, new RecordRetention<>(forgetAfter, timers, ForgetDue.INSTANCE)));
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record Deposit(long amountCents, ActorRef<StatusReply<AccountView>> replyTo) implements Command {}

  public record Charge(String orderId, long amountCents, String idempotencyKey, Instant notAfter, ActorRef<StepOutcome> replyTo)
      implements Command {}

  public record Refund(String orderId, String idempotencyKey, ActorRef<StepOutcome> replyTo) implements Command {}

  public record GetAccount(ActorRef<AccountView> replyTo) implements Command {}

  /**
   * The saga owning this key has ended and none of its commands may be applied after
   * {@code actionsNotAfter}: the record may go once that and the grace period have passed.
   */
  public record Forget(String idempotencyKey, Instant actionsNotAfter) implements Command {}

  private enum ForgetDue implements Command { INSTANCE }

  public record AccountView(String customerId, long depositedCents, long availableCents, Map<String, Long> charges)
      implements CborSerializable {}

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Deposited(long amountCents) implements Event {}

  public record Charged(String orderId, long amountCents, String idempotencyKey) implements Event {}

  public record ChargeRejected(String orderId, String idempotencyKey, String reason) implements Event {}

  public record Refunded(String orderId, long amountCents, String idempotencyKey) implements Event {}

  /** A refund for a charge never made: remembered so that the charge, if it comes late, is refused. */
  public record RefundTombstoned(String orderId, String idempotencyKey) implements Event {}

  public record RecordsForgotten(List<String> idempotencyKeys) implements Event {}

  // ---- behaviour ------------------------------------------------------------------------

  private final String customerId;
  private final RecordRetention<Command> retention;

  private PaymentAccount(String customerId, RecordRetention<Command> retention) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), customerId));
    this.customerId = customerId;
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
        .onCommand(Deposit.class, this::onDeposit)
        .onCommand(Charge.class, this::onCharge)
        .onCommand(Refund.class, this::onRefund)
        .onCommand(GetAccount.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(Forget.class, this::onForget)
        .onCommand(ForgetDue.class, (state, due) -> onForgetDue(state))
        .build();
  }

  private ReplyEffect<Event, IdempotentLedger> onDeposit(IdempotentLedger state, Deposit command) {
    if (command.amountCents() <= 0) {
      return Effect().reply(command.replyTo(), StatusReply.error("amountCents must be positive"));
    }
    if (state.added() > Long.MAX_VALUE - command.amountCents()) {
      return Effect().reply(command.replyTo(), StatusReply.error("amountCents would overflow the account"));
    }
    return Effect().persist(new Deposited(command.amountCents()))
        .thenReply(command.replyTo(), s -> StatusReply.success(view(s)));
  }

  private ReplyEffect<Event, IdempotentLedger> onCharge(IdempotentLedger state, Charge command) {
    Optional<StepOutcome> answered = state.answerWithoutApplying(command.idempotencyKey(), command.notAfter(), "charge");
    if (answered.isPresent()) return Effect().reply(command.replyTo(), answered.get());
    if (state.available() < command.amountCents()) {
      String reason = "insufficient credit: available " + state.available() + ", needed " + command.amountCents();
      return Effect().persist(new ChargeRejected(command.orderId(), command.idempotencyKey(), reason))
          .thenReply(command.replyTo(), s -> new StepOutcome.Rejected(reason));
    }
    return Effect().persist(new Charged(command.orderId(), command.amountCents(), command.idempotencyKey()))
        .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
  }

  private ReplyEffect<Event, IdempotentLedger> onRefund(IdempotentLedger state, Refund command) {
    return switch (state.undo(command.idempotencyKey())) {
      case TOMBSTONE -> Effect().persist(new RefundTombstoned(command.orderId(), command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> new StepOutcome.Succeeded("nothing to refund"));
      case GIVE_BACK -> Effect().persist(new Refunded(command.orderId(), state.heldUnder(command.idempotencyKey()), command.idempotencyKey()))
          .thenReply(command.replyTo(), s -> StepOutcome.succeeded());
      case NOTHING -> Effect().reply(command.replyTo(), new StepOutcome.Succeeded("nothing to refund"));
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

  private AccountView view(IdempotentLedger state) {
    return new AccountView(customerId, state.added(), state.available(), state.heldByOrder());
  }

  @Override
  public EventHandler<IdempotentLedger, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Deposited.class, (s, e) -> s.add(e.amountCents()))
        .onEvent(Charged.class, (s, e) -> s.hold(e.idempotencyKey(), e.orderId(), e.amountCents()))
        .onEvent(ChargeRejected.class, (s, e) -> s.reject(e.idempotencyKey(), e.orderId(), e.reason()))
        .onEvent(Refunded.class, (s, e) -> s.giveBack(e.idempotencyKey(), e.orderId(), e.amountCents()))
        .onEvent(RefundTombstoned.class, (s, e) -> s.tombstone(e.idempotencyKey(), e.orderId()))
        .onEvent(RecordsForgotten.class, (s, e) -> s.forget(e.idempotencyKeys()))
        .build();
  }
}
