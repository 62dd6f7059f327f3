package io.sagaorchestrator.order;

import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaType;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepSettlement;
import java.time.Duration;

/**
 * The order saga: payment → inventory → shipping, compensated in reverse. A rejected charge or
 * shipment applied nothing (one account, one shipment); a rejected reservation may have reserved
 * some of the order's SKUs before another refused, so it is released.
 */
public final class OrderSaga {
  public static final String NAME = "order";
  public static final int VERSION = 1;
  /** What {@link OrderEntity} starts: sagas of this definition over the order's data. */
  public static final SagaType<OrderData> TYPE = SagaType.of(NAME, OrderData.class);

  /** Retry and timeout of one step, as configured under {@code saga.order-saga}. */
  public record StepPolicy(RetryPolicy retry, Duration timeout) {}

  public record Policies(StepPolicy payment, StepPolicy inventory, StepPolicy shipping, RetryPolicy compensation, Duration deadline) {}

  /** What the saga calls: the order module's entities ({@link OrderParticipants}), or a test's. */
  public interface Participants {
    StepAction<OrderData> charge();

    StepAction<OrderData> refund();

    StepSettlement<OrderData> forgetCharge();

    StepAction<OrderData> reserveStock();

    StepAction<OrderData> releaseStock();

    StepSettlement<OrderData> forgetReservations();

    StepAction<OrderData> scheduleShipment();

    StepAction<OrderData> cancelShipment();
  }

  private OrderSaga() {}

  public static SagaDefinition<OrderData> definition(Participants participants, Policies policies) {
    return SagaDefinition.builder(TYPE.name(), VERSION, TYPE.dataType())
        .step(OrderParticipants.PAYMENT, step -> step
            .action(participants.charge()).compensation(participants.refund())
            .retry(policies.payment().retry()).timeout(policies.payment().timeout())
            .settledBy(participants.forgetCharge())
            .rejectionAppliesNothing())
        .step(OrderParticipants.INVENTORY, step -> step
            .action(participants.reserveStock()).compensation(participants.releaseStock())
            .retry(policies.inventory().retry()).timeout(policies.inventory().timeout())
            .settledBy(participants.forgetReservations()))
        .step(OrderParticipants.SHIPPING, step -> step
            .action(participants.scheduleShipment()).compensation(participants.cancelShipment())
            .retry(policies.shipping().retry()).timeout(policies.shipping().timeout())
            .rejectionAppliesNothing())
        .compensationRetry(policies.compensation())
        .deadline(policies.deadline())
        .build();
  }
}
