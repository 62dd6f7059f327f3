package io.sagaorchestrator.infra.audit;

import io.sagaorchestrator.domain.order.OrderData;
import io.sagaorchestrator.infra.http.OrderStatus;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.participants.inventory.InventoryItem;
import io.sagaorchestrator.participants.payment.PaymentAccount;
import io.sagaorchestrator.participants.shipping.Shipment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The invariants of DESIGN.md §4, checked over facts folded from journal events. Feed it every
 * event of every entity in journal order ({@link #accept}), then {@link #finish}. It holds one
 * small record per order, customer and SKU; nothing else grows with the journal.
 *
 * <p>It reads the events the entities write and applies them the way the entities do, but with
 * its own code: a drift between the two shows up as a violation on a clean system (the audit's
 * own tests run a clean system).
 */
final class AuditLedger {
  static final int MAX_LISTED_VIOLATIONS = 1000;

  /** What the audit knows of one order id: the order, its saga and its shipment share the id. */
  private static final class OrderFacts {
    String customerId;
    long totalCents;
    Map<String, Integer> quantitiesBySku;
    long orderSeq;
    String sagaDefinition;
    SagaStatus sagaStatus;
    long sagaSeq;
    Shipment.ShipmentStatus shipmentStatus;
    long shipmentSeq;

    boolean placed() {
      return customerId != null;
    }

    /** The order's status as the API derives it: from its saga's; PENDING while it has none. */
    String status() {
      return OrderStatus.of(sagaStatus == null ? SagaStatus.RUNNING : sagaStatus);
    }
  }

  /** A hold on credit or stock, by idempotency key: a charge or a reservation not undone. */
  private record Hold(String orderId, long amount) {}

  /** A customer's account or a SKU's stock: both are "added, available, holds". */
  private static final class Ledger {
    long added;
    long available;
    long lastSeq;
    final Map<String, Hold> holdsByKey = new HashMap<>(4);

    Map<String, Long> heldByOrder() {
      Map<String, Long> byOrder = new HashMap<>(4);
      holdsByKey.values().forEach(h -> byOrder.merge(h.orderId(), h.amount(), Long::sum));
      return byOrder;
    }
  }

  private final Map<String, OrderFacts> orders = new HashMap<>();
  private final Map<String, Ledger> accounts = new HashMap<>();
  private final Map<String, Ledger> stock = new HashMap<>();
  private final Map<String, Long> eventsByEntity = new TreeMap<>();
  private final List<String> violations = new ArrayList<>();
  private long eventsRead;

  private static final String ORDER = OrderEntity.ENTITY_TYPE_KEY.name();
  private static final String SAGA = SagaEntity.ENTITY_TYPE_KEY.name();
  private static final String PAYMENT = PaymentAccount.ENTITY_TYPE_KEY.name();
  private static final String INVENTORY = InventoryItem.ENTITY_TYPE_KEY.name();
  private static final String SHIPMENT = Shipment.ENTITY_TYPE_KEY.name();

  /** The entity type of a persistence id ("Order|o-1" → "Order"), or null when it is not one of ours. */
  static String entityType(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    if (bar <= 0) return null;
    String type = persistenceId.substring(0, bar);
    return isAudited(type) ? type : null;
  }

  static boolean isAudited(String type) {
    return type.equals(ORDER) || type.equals(SAGA) || type.equals(PAYMENT) || type.equals(INVENTORY) || type.equals(SHIPMENT);
  }

  /** Counts a row the audit does not interpret (another writer's, e.g. remembered-entity shards). */
  void skipped(String persistenceId) {
    eventsRead++;
    int cut = persistenceId.indexOf('|');
    if (cut < 0) cut = persistenceId.lastIndexOf('/');
    eventsByEntity.merge(cut <= 0 ? persistenceId : persistenceId.substring(0, cut), 1L, Long::sum);
  }

  /** An event that could not be deserialized: the audit cannot vouch for that entity. */
  void unreadable(String persistenceId, long sequenceNr, String error) {
    eventsRead++;
    String type = entityType(persistenceId);
    eventsByEntity.merge(type == null ? persistenceId : type, 1L, Long::sum);
    violations.add("journal: event " + sequenceNr + " of " + persistenceId + " cannot be read: " + error);
  }

  /** One event of one of the five entity types, in journal order. */
  void accept(String persistenceId, long sequenceNr, Object event) {
    String type = entityType(persistenceId);
    if (type == null) {
      skipped(persistenceId);
      return;
    }
    eventsRead++;
    eventsByEntity.merge(type, 1L, Long::sum);
    String id = persistenceId.substring(type.length() + 1);
    if (type.equals(ORDER)) onOrderEvent(id, sequenceNr, event);
    else if (type.equals(SAGA)) onSagaEvent(id, sequenceNr, event);
    else if (type.equals(PAYMENT)) onPaymentEvent(id, sequenceNr, event);
    else if (type.equals(INVENTORY)) onInventoryEvent(id, sequenceNr, event);
    else onShipmentEvent(id, sequenceNr, event);
  }

  /** Events are never deleted: every entity's history starts at 1 and has no gaps. */
  private long checkSequence(String persistenceId, long lastSeq, long sequenceNr) {
    if (sequenceNr != lastSeq + 1) {
      violations.add("journal: " + persistenceId + " has event " + sequenceNr + " after " + lastSeq
          + " (history incomplete or out of order; the audit cannot vouch for this entity)");
    }
    return Math.max(lastSeq, sequenceNr);
  }

  private OrderFacts order(String orderId) {
    return orders.computeIfAbsent(orderId, id -> new OrderFacts());
  }

  private void onOrderEvent(String orderId, long seq, Object event) {
    OrderFacts facts = order(orderId);
    facts.orderSeq = checkSequence(ORDER + "|" + orderId, facts.orderSeq, seq);
    if (event instanceof OrderEntity.OrderPlaced placed) {
      OrderData data = placed.order();
      if (facts.placed()) violations.add("order " + orderId + ": placed twice");
      facts.customerId = data.customerId();
      facts.totalCents = data.totalCents();
      Map<String, Integer> bySku = data.quantitiesBySku();
      facts.quantitiesBySku = bySku.size() == 1 ? Map.copyOf(bySku) : bySku;
    } else {
      violations.add("order " + orderId + ": unknown event " + event.getClass().getName());
    }
  }

  private void onSagaEvent(String sagaId, long seq, Object event) {
    OrderFacts facts = order(sagaId);
    facts.sagaSeq = checkSequence(SAGA + "|" + sagaId, facts.sagaSeq, seq);
    if (event instanceof SagaEntity.SagaStarted started) {
      facts.sagaDefinition = started.definition();
      facts.sagaStatus = SagaStatus.RUNNING;
    } else if (facts.sagaStatus == null) {
      violations.add("saga " + sagaId + ": event " + seq + " (" + event.getClass().getSimpleName() + ") before SagaStarted");
    } else if (event instanceof SagaEntity.CompensationStarted || event instanceof SagaEntity.StepRefused
        || event instanceof SagaEntity.SagaResumed) {
      facts.sagaStatus = SagaStatus.COMPENSATING;
    } else if (event instanceof SagaEntity.SagaParked) {
      facts.sagaStatus = SagaStatus.PARKED;
    } else if (event instanceof SagaEntity.SagaCompleted || event instanceof SagaEntity.LastStepSucceeded) {
      facts.sagaStatus = SagaStatus.COMPLETED;
    } else if (event instanceof SagaEntity.SagaCompensated) {
      facts.sagaStatus = SagaStatus.COMPENSATED;
    }
    // Step-level events (succeeded, failed attempt, rejected, compensated) do not change the status.
  }

  private void onPaymentEvent(String customerId, long seq, Object event) {
    Ledger account = accounts.computeIfAbsent(customerId, id -> new Ledger());
    account.lastSeq = checkSequence(PAYMENT + "|" + customerId, account.lastSeq, seq);
    if (event instanceof PaymentAccount.Deposited e) {
      account.added += e.amountCents();
      account.available += e.amountCents();
    } else if (event instanceof PaymentAccount.Charged e) {
      account.available -= e.amountCents();
      Hold earlier = account.holdsByKey.put(e.idempotencyKey(), new Hold(e.orderId(), e.amountCents()));
      if (earlier != null) {
        violations.add("customer " + customerId + ": charge " + e.idempotencyKey() + " for order " + e.orderId() + " applied twice");
      }
    } else if (event instanceof PaymentAccount.Refunded e) {
      account.available += e.amountCents();
      Hold charged = account.holdsByKey.remove(e.idempotencyKey());
      if (charged == null || charged.amount() != e.amountCents()) {
        violations.add("customer " + customerId + ": refund " + e.idempotencyKey() + " of " + e.amountCents()
            + " cents for order " + e.orderId() + " does not match a charge" + (charged == null ? "" : " of " + charged.amount()));
      }
    }
    // ChargeRejected and RefundTombstoned move no money.
  }

  private void onInventoryEvent(String sku, long seq, Object event) {
    Ledger item = stock.computeIfAbsent(sku, id -> new Ledger());
    item.lastSeq = checkSequence(INVENTORY + "|" + sku, item.lastSeq, seq);
    if (event instanceof InventoryItem.Restocked e) {
      item.added += e.quantity();
      item.available += e.quantity();
    } else if (event instanceof InventoryItem.StockReserved e) {
      item.available -= e.quantity();
      Hold earlier = item.holdsByKey.put(e.idempotencyKey(), new Hold(e.orderId(), e.quantity()));
      if (earlier != null) {
        violations.add("sku " + sku + ": reservation " + e.idempotencyKey() + " for order " + e.orderId() + " applied twice");
      }
    } else if (event instanceof InventoryItem.StockReleased e) {
      item.available += e.quantity();
      Hold reserved = item.holdsByKey.remove(e.idempotencyKey());
      if (reserved == null || reserved.amount() != e.quantity()) {
        violations.add("sku " + sku + ": release " + e.idempotencyKey() + " of " + e.quantity()
            + " for order " + e.orderId() + " does not match a reservation" + (reserved == null ? "" : " of " + reserved.amount()));
      }
    }
    // ReservationRejected and ReleaseTombstoned move no stock.
  }

  private void onShipmentEvent(String orderId, long seq, Object event) {
    OrderFacts facts = order(orderId);
    facts.shipmentSeq = checkSequence(SHIPMENT + "|" + orderId, facts.shipmentSeq, seq);
    if (event instanceof Shipment.ShipmentScheduled) facts.shipmentStatus = Shipment.ShipmentStatus.SCHEDULED;
    else if (event instanceof Shipment.ShipmentRejected) facts.shipmentStatus = Shipment.ShipmentStatus.REJECTED;
    else if (event instanceof Shipment.ShipmentCancelled) facts.shipmentStatus = Shipment.ShipmentStatus.CANCELLED;
    else if (event instanceof Shipment.CancellationTombstoned) facts.shipmentStatus = Shipment.ShipmentStatus.TOMBSTONE;
  }

  // ---- the checks -----------------------------------------------------------------------

  AuditReport finish(Instant checkedAt, long durationMs) {
    Map<String, Long> orderCounts = new LinkedHashMap<>();
    for (String status : List.of("COMPLETED", "CANCELLED", "PENDING")) orderCounts.put(status, 0L);
    Map<String, Long> sagaCounts = new LinkedHashMap<>();
    for (SagaStatus status : SagaStatus.values()) sagaCounts.put(status.name(), 0L);
    // What COMPLETED orders should hold: Σ totals per customer, Σ quantities per SKU.
    Map<String, Long> expectedCharges = new HashMap<>();
    Map<String, Long> expectedReservations = new HashMap<>();
    long orderCount = 0;
    long sagaCount = 0;
    long activeShipments = 0;

    for (Map.Entry<String, OrderFacts> entry : orders.entrySet()) {
      String id = entry.getKey();
      OrderFacts facts = entry.getValue();
      if (facts.sagaStatus != null) {
        sagaCount++;
        sagaCounts.merge(facts.sagaStatus.name(), 1L, Long::sum);
        if (facts.sagaStatus == SagaStatus.RUNNING || facts.sagaStatus == SagaStatus.COMPENSATING) {
          violations.add("saga " + id + ": still " + facts.sagaStatus + " (the system is not quiet, or the saga is stuck)");
        }
        if (!facts.placed() && OrderSaga.NAME.equals(facts.sagaDefinition)) {
          violations.add("saga " + id + ": an " + OrderSaga.NAME + " saga without an order");
        }
      }
      boolean completed = false;
      if (facts.placed()) {
        orderCount++;
        String status = facts.status();
        orderCounts.merge(status, 1L, Long::sum);
        if (facts.sagaStatus == null) {
          violations.add("order " + id + ": has no saga");
        } else if (!OrderSaga.NAME.equals(facts.sagaDefinition)) {
          violations.add("order " + id + ": its saga runs definition " + facts.sagaDefinition + ", not " + OrderSaga.NAME);
        }
        completed = "COMPLETED".equals(status);
        if (completed) {
          expectedCharges.merge(facts.customerId, facts.totalCents, Long::sum);
          facts.quantitiesBySku.forEach((sku, quantity) -> expectedReservations.merge(sku, (long) quantity, Long::sum));
        }
      }
      boolean shipmentActive = facts.shipmentStatus == Shipment.ShipmentStatus.SCHEDULED;
      if (shipmentActive) activeShipments++;
      if (completed && !shipmentActive) {
        violations.add("order " + id + ": COMPLETED but its shipment is "
            + (facts.shipmentStatus == null ? "missing" : facts.shipmentStatus) + " (expected exactly one active shipment)");
      } else if (!completed && shipmentActive) {
        violations.add("order " + id + ": " + (facts.placed() ? facts.status() : "unknown order")
            + " but has an active shipment");
      }
    }

    checkLedgers("customer", "charge", "cents", accounts, expectedCharges, true);
    checkLedgers("sku", "reservation", "units", stock, expectedReservations, false);

    long violationCount = violations.size();
    List<String> listed = violations.stream().sorted().limit(MAX_LISTED_VIOLATIONS).toList();
    return new AuditReport(violationCount == 0, orderCounts, sagaCounts, listed, violationCount, checkedAt, durationMs,
        eventsRead, java.util.Collections.unmodifiableMap(eventsByEntity),
        new AuditReport.Entities(orderCount, sagaCount, accounts.size(), stock.size(), activeShipments));
  }

  /**
   * For every customer (or SKU): added = available + Σ holds of COMPLETED orders; every hold
   * belongs to a COMPLETED order that it fits; every COMPLETED order has its hold.
   */
  private void checkLedgers(String kind, String hold, String unit, Map<String, Ledger> ledgers,
      Map<String, Long> expected, boolean payment) {
    String added = payment ? "deposited" : "restocked";
    Map<String, Map<String, Long>> heldByLedger = new HashMap<>();
    for (Map.Entry<String, Ledger> entry : ledgers.entrySet()) {
      String id = entry.getKey();
      Ledger ledger = entry.getValue();
      Map<String, Long> heldByOrder = ledger.heldByOrder();
      heldByLedger.put(id, heldByOrder);
      long shouldHold = expected.getOrDefault(id, 0L);
      if (ledger.added != ledger.available + shouldHold) {
        violations.add(kind + " " + id + ": " + added + " " + ledger.added + " != available " + ledger.available
            + " + " + shouldHold + " held by COMPLETED orders");
      }
      if (ledger.available < 0) violations.add(kind + " " + id + ": available is negative (" + ledger.available + ")");
      for (Map.Entry<String, Long> held : heldByOrder.entrySet()) {
        String orderId = held.getKey();
        long amount = held.getValue();
        OrderFacts order = orders.get(orderId);
        String prefix = kind + " " + id + ": " + hold + " of " + amount + " " + unit + " held for order " + orderId;
        if (order == null || !order.placed()) {
          violations.add(prefix + ", which does not exist");
        } else if (!"COMPLETED".equals(order.status())) {
          violations.add(prefix + ", which is " + order.status() + " (saga " + order.sagaStatus + ")");
        } else {
          long due = payment ? (order.customerId.equals(id) ? order.totalCents : 0)
              : order.quantitiesBySku.getOrDefault(id, 0);
          if (amount != due) {
            violations.add(prefix + ", which is COMPLETED but " + (due == 0 ? "does not use this " + kind : "needs " + due));
          }
        }
      }
    }
    // Every COMPLETED order holds what it needs: a ledger that is missing altogether is caught here.
    for (Map.Entry<String, OrderFacts> entry : orders.entrySet()) {
      OrderFacts order = entry.getValue();
      if (!order.placed() || !"COMPLETED".equals(order.status())) continue;
      if (payment) {
        requireHold(kind, hold, entry.getKey(), order.customerId, heldByLedger);
      } else {
        for (String sku : order.quantitiesBySku.keySet()) requireHold(kind, hold, entry.getKey(), sku, heldByLedger);
      }
    }
  }

  private void requireHold(String kind, String hold, String orderId, String ledgerId, Map<String, Map<String, Long>> heldByLedger) {
    Map<String, Long> heldByOrder = heldByLedger.get(ledgerId);
    boolean held = heldByOrder != null && heldByOrder.containsKey(orderId);
    if (!held) violations.add("order " + orderId + ": COMPLETED but " + kind + " " + ledgerId + " holds no " + hold + " for it");
  }
}
