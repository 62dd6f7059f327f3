package io.sagaorchestrator.order.audit;

import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.audit.AuditFindings;
import io.sagaorchestrator.infra.audit.SagaAudit;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.order.OrderStatus;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order saga's invariants of docs/design.md §4 over the journal: every order has its saga,
 * every COMPLETED order holds exactly its charge, its reservations and one active shipment, and
 * nothing else holds credit, stock or a shipment. It holds one small record per order, customer
 * and SKU.
 *
 * <p>It reads the events the entities write and applies them the way the entities do, but with
 * its own code: a drift between the two shows up as a violation on a clean system (the audit's
 * own tests run a clean system).
 */
public final class OrderAudit implements AuditCheck {
  private static final String ORDER = OrderEntity.ENTITY_TYPE_KEY.name();
  private static final String PAYMENT = PaymentAccount.ENTITY_TYPE_KEY.name();
  private static final String INVENTORY = InventoryItem.ENTITY_TYPE_KEY.name();
  private static final String SHIPMENT = Shipment.ENTITY_TYPE_KEY.name();

  /** What the audit knows of one order id: the order and its shipment share the id with its saga. */
  static final class OrderFacts {
    String customerId;
    long totalCents;
    Map<String, Integer> quantitiesBySku;
    long orderSeq;
    Shipment.ShipmentStatus shipmentStatus;
    long shipmentSeq;
    /** Filled in by {@link #finish} from the saga's facts. */
    SagaStatus sagaStatus;

    boolean placed() {
      return customerId != null;
    }

    /** The order's status as the API derives it: from its saga's; PENDING while it has none. */
    String status() {
      return OrderStatus.of(sagaStatus == null ? SagaStatus.RUNNING : sagaStatus);
    }

    boolean completed() {
      return placed() && "COMPLETED".equals(status());
    }
  }

  private final Map<String, OrderFacts> orders = new HashMap<>();
  private final HeldLedgers accounts = new HeldLedgers(HeldLedgers.Kind.CREDIT);
  private final HeldLedgers stock = new HeldLedgers(HeldLedgers.Kind.STOCK);

  @Override
  public Set<String> entityTypes() {
    return Set.of(ORDER, PAYMENT, INVENTORY, SHIPMENT);
  }

  @Override
  public void accept(String entityType, String id, long sequenceNr, Object event, AuditFindings findings) {
    if (entityType.equals(ORDER)) onOrderEvent(id, sequenceNr, event, findings);
    else if (entityType.equals(PAYMENT)) onPaymentEvent(id, sequenceNr, event, findings);
    else if (entityType.equals(INVENTORY)) onInventoryEvent(id, sequenceNr, event, findings);
    else onShipmentEvent(id, sequenceNr, event, findings);
  }

  private OrderFacts order(String orderId) {
    return orders.computeIfAbsent(orderId, id -> new OrderFacts());
  }

  private void onOrderEvent(String orderId, long seq, Object event, AuditFindings findings) {
    OrderFacts facts = order(orderId);
    facts.orderSeq = findings.inSequence(ORDER + "|" + orderId, facts.orderSeq, seq);
    if (event instanceof OrderEntity.OrderPlaced placed) {
      OrderData data = placed.order();
      if (facts.placed()) findings.violation("order " + orderId + ": placed twice");
      facts.customerId = data.customerId();
      facts.totalCents = data.totalCents();
      Map<String, Integer> bySku = data.quantitiesBySku();
      facts.quantitiesBySku = bySku.size() == 1 ? Map.copyOf(bySku) : bySku;
    } else {
      findings.violation("order " + orderId + ": unknown event " + event.getClass().getName());
    }
  }

  private void onPaymentEvent(String customerId, long seq, Object event, AuditFindings findings) {
    HeldLedgers.Ledger account = accounts.ledger(customerId);
    account.lastSeq = findings.inSequence(PAYMENT + "|" + customerId, account.lastSeq, seq);
    if (event instanceof PaymentAccount.Deposited e) {
      account.add(e.amountCents());
    } else if (event instanceof PaymentAccount.Charged e) {
      accounts.hold(customerId, account, e.idempotencyKey(), e.orderId(), e.amountCents(), findings);
    } else if (event instanceof PaymentAccount.Refunded e) {
      accounts.undo(customerId, account, e.idempotencyKey(), e.orderId(), e.amountCents(), findings);
    }
    // ChargeRejected and RefundTombstoned move no money.
  }

  private void onInventoryEvent(String sku, long seq, Object event, AuditFindings findings) {
    HeldLedgers.Ledger item = stock.ledger(sku);
    item.lastSeq = findings.inSequence(INVENTORY + "|" + sku, item.lastSeq, seq);
    if (event instanceof InventoryItem.Restocked e) {
      item.add(e.quantity());
    } else if (event instanceof InventoryItem.StockReserved e) {
      stock.hold(sku, item, e.idempotencyKey(), e.orderId(), e.quantity(), findings);
    } else if (event instanceof InventoryItem.StockReleased e) {
      stock.undo(sku, item, e.idempotencyKey(), e.orderId(), e.quantity(), findings);
    }
    // ReservationRejected and ReleaseTombstoned move no stock.
  }

  private void onShipmentEvent(String orderId, long seq, Object event, AuditFindings findings) {
    OrderFacts facts = order(orderId);
    facts.shipmentSeq = findings.inSequence(SHIPMENT + "|" + orderId, facts.shipmentSeq, seq);
    if (event instanceof Shipment.ShipmentScheduled) facts.shipmentStatus = Shipment.ShipmentStatus.SCHEDULED;
    else if (event instanceof Shipment.ShipmentRejected) facts.shipmentStatus = Shipment.ShipmentStatus.REJECTED;
    else if (event instanceof Shipment.ShipmentCancelled) facts.shipmentStatus = Shipment.ShipmentStatus.CANCELLED;
    else if (event instanceof Shipment.CancellationTombstoned) facts.shipmentStatus = Shipment.ShipmentStatus.TOMBSTONE;
  }

  // ---- the checks -----------------------------------------------------------------------

  @Override
  public void finish(AuditFindings findings) {
    SagaAudit sagas = findings.sagas();
    sagas.forEach((id, saga) -> {
      OrderFacts facts = orders.get(id);
      if (OrderSaga.NAME.equals(saga.definition()) && (facts == null || !facts.placed())) {
        findings.violation("saga " + id + ": an " + OrderSaga.NAME + " saga without an order");
      }
    });
    Map<String, Long> orderCounts = new LinkedHashMap<>();
    for (String status : List.of("COMPLETED", "CANCELLED", "PENDING")) orderCounts.put(status, 0L);
    long orderCount = 0;
    long activeShipments = 0;
    for (Map.Entry<String, OrderFacts> entry : orders.entrySet()) {
      String id = entry.getKey();
      OrderFacts facts = entry.getValue();
      SagaAudit.SagaFacts saga = sagas.find(id);
      if (saga != null) facts.sagaStatus = saga.status();
      if (facts.placed()) {
        orderCount++;
        orderCounts.merge(facts.status(), 1L, Long::sum);
        if (saga == null) {
          findings.violation("order " + id + ": has no saga");
        } else if (!OrderSaga.NAME.equals(saga.definition())) {
          findings.violation("order " + id + ": its saga runs definition " + saga.definition() + ", not " + OrderSaga.NAME);
        }
      }
      boolean shipmentActive = facts.shipmentStatus == Shipment.ShipmentStatus.SCHEDULED;
      if (shipmentActive) activeShipments++;
      if (facts.completed() && !shipmentActive) {
        findings.violation("order " + id + ": COMPLETED but its shipment is "
            + (facts.shipmentStatus == null ? "missing" : facts.shipmentStatus) + " (expected exactly one active shipment)");
      } else if (!facts.completed() && shipmentActive) {
        findings.violation("order " + id + ": " + (facts.placed() ? facts.status() : "unknown order") + " but has an active shipment");
      }
    }
    accounts.check(orders, findings);
    stock.check(orders, findings);
    findings.section("orders", orderCounts);
    findings.section("entities", new Entities(orderCount, accounts.size(), stock.size(), activeShipments));
  }

  /** How many of each thing the order audit looked at. */
  public record Entities(long orders, long customers, long skus, long activeShipments) {}
}
