package io.sagaorchestrator.order;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.orchestrator.StepSettlement;
import io.sagaorchestrator.participants.faults.FaultInjector;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The order saga's participants as step actions: each sends the participant protocol (command
 * with idempotency key → outcome) to a sharded entity through the fault injector. A remote
 * service would implement the same {@link StepAction}s.
 */
public final class OrderParticipants implements OrderSaga.Participants {
  public static final String PAYMENT = "payment";
  public static final String INVENTORY = "inventory";
  public static final String SHIPPING = "shipping";

  private final ClusterSharding sharding;
  private final FaultInjector faults;

  public OrderParticipants(ActorSystem<?> system, FaultInjector faults) {
    this.sharding = ClusterSharding.get(system);
    this.faults = faults;
  }

  @Override
  public StepAction<OrderData> charge() {
    return (order, step) -> faults.call(PAYMENT, () ->
        sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, order.customerId())
            .ask(replyTo -> new PaymentAccount.Charge(order.orderId(), order.totalCents(), step.idempotencyKey(), step.notAfter(),
                replyTo), step.timeout()));
  }

  @Override
  public StepSettlement<OrderData> forgetCharge() {
    return (order, key, actionsNotAfter) ->
        sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, order.customerId()).tell(new PaymentAccount.Forget(key, actionsNotAfter));
  }

  @Override
  public StepAction<OrderData> refund() {
    return (order, step) -> faults.call(PAYMENT, () ->
        sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, order.customerId())
            .ask(replyTo -> new PaymentAccount.Refund(order.orderId(), step.idempotencyKey(), replyTo), step.timeout()));
  }

  /** Reserves every SKU of the order; any refusal refuses the step (the saga then releases them all). */
  @Override
  public StepAction<OrderData> reserveStock() {
    return (order, step) -> faults.call(INVENTORY, () -> allOf(order.quantitiesBySku().entrySet().stream()
        .map(line -> reserve(order, line, step))
        .toList()));
  }

  @Override
  public StepAction<OrderData> releaseStock() {
    return (order, step) -> faults.call(INVENTORY, () -> allOf(order.quantitiesBySku().keySet().stream()
        .map(sku -> sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku)
            .<StepOutcome>ask(replyTo -> new InventoryItem.ReleaseStock(order.orderId(), step.idempotencyKey(), replyTo),
                step.timeout()))
        .toList()));
  }

  @Override
  public StepSettlement<OrderData> forgetReservations() {
    return (order, key, actionsNotAfter) -> order.quantitiesBySku().keySet().forEach(sku ->
        sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku).tell(new InventoryItem.Forget(key, actionsNotAfter)));
  }

  @Override
  public StepAction<OrderData> scheduleShipment() {
    return (order, step) -> faults.call(SHIPPING, () ->
        sharding.entityRefFor(Shipment.ENTITY_TYPE_KEY, order.orderId())
            .ask(replyTo -> new Shipment.ScheduleShipment(order.shippingAddress().country(), order.shippingAddress().city(),
                order.shippingAddress().street(), step.idempotencyKey(), replyTo), step.timeout()));
  }

  @Override
  public StepAction<OrderData> cancelShipment() {
    return (order, step) -> faults.call(SHIPPING, () ->
        sharding.entityRefFor(Shipment.ENTITY_TYPE_KEY, order.orderId())
            .ask(replyTo -> new Shipment.CancelShipment(step.idempotencyKey(), replyTo), step.timeout()));
  }

  private CompletionStage<StepOutcome> reserve(OrderData order, Map.Entry<String, Integer> line, StepContext step) {
    return sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, line.getKey())
        .ask(replyTo -> new InventoryItem.ReserveStock(order.orderId(), line.getValue(), step.idempotencyKey(), step.notAfter(),
            replyTo), step.timeout());
  }

  /** Succeeded only if all succeeded; otherwise the first rejection, else the first failure. */
  private static CompletionStage<StepOutcome> allOf(List<CompletionStage<StepOutcome>> calls) {
    CompletableFuture<?>[] futures = calls.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(futures).thenApply(done -> {
      StepOutcome failed = null;
      for (CompletableFuture<?> future : futures) {
        StepOutcome outcome = (StepOutcome) future.join();
        if (outcome instanceof StepOutcome.Rejected) return outcome;
        if (outcome instanceof StepOutcome.Failed && failed == null) failed = outcome;
      }
      return failed != null ? failed : StepOutcome.succeeded();
    });
  }
}
