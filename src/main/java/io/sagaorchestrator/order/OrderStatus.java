package io.sagaorchestrator.order;

import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;

/** An order's status follows from its saga's: PENDING until the saga ends (a PARKED or BLOCKED saga has not). */
public final class OrderStatus {
  private OrderStatus() {}

  public static String of(SagaStatus saga) {
    return switch (saga) {
      case COMPLETED -> "COMPLETED";
      case COMPENSATED -> "CANCELLED";
      case RUNNING, COMPENSATING, PARKED, BLOCKED -> "PENDING";
    };
  }
}
