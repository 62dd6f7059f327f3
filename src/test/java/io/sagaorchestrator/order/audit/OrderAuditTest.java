package io.sagaorchestrator.order.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.ShippingAddress;
import io.sagaorchestrator.infra.audit.AuditReport;
import io.sagaorchestrator.infra.audit.AuditRun;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The invariant checks on hand-made event histories, without a node. */
class OrderAuditTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  private final AuditRun ledger = new AuditRun(List.of(new OrderAudit()));
  private final Map<String, Long> sequence = new HashMap<>();

  private void event(String persistenceId, Object event) {
    ledger.accept(persistenceId, sequence.merge(persistenceId, 1L, Long::sum), event);
  }

  private void placeAndStart(String orderId) {
    OrderData order = new OrderData(orderId, "c-1", List.of(new OrderLine("s-1", 2, 500)), new ShippingAddress("NL", "Utrecht", "Main 1"));
    event("Order|" + orderId, new OrderEntity.OrderPlaced(order, null, "corr", AT));
    event("Saga|" + orderId, new SagaEntity.SagaStarted(orderId, OrderSaga.NAME, OrderSaga.VERSION,
        List.of("payment", "inventory", "shipping"), SagaData.toTree(order), "corr", AT));
  }

  private void completed(String orderId) {
    placeAndStart(orderId);
    event("PaymentAccount|c-1", new PaymentAccount.Charged(orderId, 1_000, orderId + ":payment"));
    event("InventoryItem|s-1", new InventoryItem.StockReserved(orderId, 2, orderId + ":inventory"));
    event("Shipment|" + orderId, new Shipment.ShipmentScheduled("NL", "Utrecht", "Main 1", orderId + ":shipping"));
    event("Saga|" + orderId, new SagaEntity.SagaCompleted(AT));
  }

  private void seeded() {
    event("PaymentAccount|c-1", new PaymentAccount.Deposited(10_000));
    event("InventoryItem|s-1", new InventoryItem.Restocked(10));
  }

  private AuditReport finish() {
    return ledger.finish(AT, 0);
  }

  @Test
  void holdsForCompletedAndCompensatedOrders() {
    seeded();
    completed("o-1");
    placeAndStart("o-2");
    event("PaymentAccount|c-1", new PaymentAccount.Charged("o-2", 1_000, "o-2:payment"));
    event("Saga|o-2", new SagaEntity.StepRejected(1, 1, "no stock", AT));
    event("Saga|o-2", new SagaEntity.CompensationStarted("no stock", AT));
    event("InventoryItem|s-1", new InventoryItem.ReleaseTombstoned("o-2", "o-2:inventory"));
    event("PaymentAccount|c-1", new PaymentAccount.Refunded("o-2", 1_000, "o-2:payment"));
    event("Saga|o-2", new SagaEntity.SagaCompensated(AT));
    ledger.skipped("/sharding/SagaShard/12");

    AuditReport report = finish();
    assertEquals(List.of(), report.violations());
    assertTrue(report.ok());
    assertEquals(Map.of("COMPLETED", 1L, "CANCELLED", 1L, "PENDING", 0L), report.section("orders"));
    assertEquals(1L, report.<Map<String, Long>>section("sagas").get("COMPLETED"));
    assertEquals(1L, report.<Map<String, Long>>section("sagas").get("COMPENSATED"));
    assertEquals(1L, report.eventsByEntity().get("/sharding/SagaShard"));
    assertEquals(1, report.<OrderAudit.Entities>section("entities").activeShipments());
  }

  @Test
  void reportsACompletedOrderThatHoldsNoCharge() {
    seeded();
    placeAndStart("o-1");
    event("InventoryItem|s-1", new InventoryItem.StockReserved("o-1", 2, "o-1:inventory"));
    event("Shipment|o-1", new Shipment.ShipmentScheduled("NL", "Utrecht", "Main 1", "o-1:shipping"));
    event("Saga|o-1", new SagaEntity.SagaCompleted(AT));

    AuditReport report = finish();
    assertFalse(report.ok());
    assertTrue(report.violations().contains("order o-1: COMPLETED but customer c-1 holds no charge for it"), report.violations().toString());
    assertTrue(report.violations().contains("customer c-1: deposited 10000 != available 10000 + 1000 held by COMPLETED orders"),
        report.violations().toString());
  }

  @Test
  void reportsSagasThatAreNotQuietAndOrdersWithoutSaga() {
    seeded();
    placeAndStart("o-1");
    OrderData lonely = new OrderData("o-2", "c-1", List.of(new OrderLine("s-1", 1, 500)), new ShippingAddress("NL", "Utrecht", "Main 1"));
    event("Order|o-2", new OrderEntity.OrderPlaced(lonely, null, "corr", AT));

    AuditReport report = finish();
    assertEquals(List.of("order o-2: has no saga", "saga o-1: still RUNNING (the system is not quiet, or the saga is stuck)"),
        report.violations());
    assertEquals(2L, report.<Map<String, Long>>section("orders").get("PENDING"));
  }

  @Test
  void reportsAHistoryWithAGap() {
    seeded();
    completed("o-1");
    ledger.accept("PaymentAccount|c-1", 7, new PaymentAccount.Deposited(5));

    AuditReport report = finish();
    assertTrue(report.violations().stream().anyMatch(v -> v.startsWith("journal: PaymentAccount|c-1 has event 7 after 2")),
        report.violations().toString());
  }

  @Test
  void listsAtMostAThousandViolationsButCountsThemAll() {
    for (int i = 0; i < 1_500; i++) placeAndStart("o-" + i);
    AuditReport report = finish();
    assertEquals(1_000, report.violations().size());
    assertEquals(1_500, report.violationCount());
  }
}
