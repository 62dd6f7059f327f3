package io.sagaorchestrator.order.audit;

import io.sagaorchestrator.infra.audit.AuditFindings;
import io.sagaorchestrator.order.audit.OrderAudit.OrderFacts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Customers' credit or SKUs' stock as the audit folds it: what was added, what is available, and
 * what each order holds by idempotency key, with the invariant that added = available + Σ holds of
 * COMPLETED orders, each hold belongs to a COMPLETED order it fits, and every COMPLETED order has it.
 */
final class HeldLedgers {
  /** What is held, in the words of the violations; and which ledgers an order holds from. */
  enum Kind {
    CREDIT("customer", "charge", "cents", "deposited"),
    STOCK("sku", "reservation", "units", "restocked");

    final String owner;
    final String hold;
    final String unit;
    final String added;

    Kind(String owner, String hold, String unit, String added) {
      this.owner = owner;
      this.hold = hold;
      this.unit = unit;
      this.added = added;
    }

    /** The ledgers a COMPLETED order must hold from. */
    List<String> ledgersOf(OrderFacts order) {
      return this == CREDIT ? List.of(order.customerId) : List.copyOf(order.quantitiesBySku.keySet());
    }

    /** What a COMPLETED order must hold on that ledger (0 when it does not use it). */
    long dueFrom(OrderFacts order, String ledgerId) {
      return this == CREDIT
          ? (order.customerId.equals(ledgerId) ? order.totalCents : 0)
          : order.quantitiesBySku.getOrDefault(ledgerId, 0);
    }
  }

  /** A hold on credit or stock: a charge or a reservation not undone. */
  private record Hold(String orderId, long amount) {}

  static final class Ledger {
    long added;
    long available;
    long lastSeq;
    final Map<String, Hold> holdsByKey = new HashMap<>(4);

    void add(long amount) {
      added += amount;
      available += amount;
    }

    Map<String, Long> heldByOrder() {
      Map<String, Long> byOrder = new HashMap<>(4);
      holdsByKey.values().forEach(h -> byOrder.merge(h.orderId(), h.amount(), Long::sum));
      return byOrder;
    }
  }

  private final Kind kind;
  private final Map<String, Ledger> ledgers = new HashMap<>();

  HeldLedgers(Kind kind) {
    this.kind = kind;
  }

  Ledger ledger(String id) {
    return ledgers.computeIfAbsent(id, key -> new Ledger());
  }

  int size() {
    return ledgers.size();
  }

  void hold(String id, Ledger ledger, String key, String orderId, long amount, AuditFindings findings) {
    ledger.available -= amount;
    if (ledger.holdsByKey.put(key, new Hold(orderId, amount)) != null) {
      findings.violation(kind.owner + " " + id + ": " + kind.hold + " " + key + " for order " + orderId + " applied twice");
    }
  }

  void undo(String id, Ledger ledger, String key, String orderId, long amount, AuditFindings findings) {
    ledger.available += amount;
    Hold held = ledger.holdsByKey.remove(key);
    if (held == null || held.amount() != amount) {
      findings.violation(kind.owner + " " + id + ": " + (kind == Kind.CREDIT ? "refund " : "release ") + key + " of " + amount
          + (kind == Kind.CREDIT ? " cents" : "") + " for order " + orderId + " does not match a " + kind.hold
          + (held == null ? "" : " of " + held.amount()));
    }
  }

  void check(Map<String, OrderFacts> orders, AuditFindings findings) {
    Map<String, Long> expected = new HashMap<>();
    for (OrderFacts order : orders.values()) {
      if (!order.completed()) continue;
      for (String ledgerId : kind.ledgersOf(order)) expected.merge(ledgerId, kind.dueFrom(order, ledgerId), Long::sum);
    }
    Map<String, Map<String, Long>> heldByLedger = new HashMap<>();
    for (Map.Entry<String, Ledger> entry : ledgers.entrySet()) {
      String id = entry.getKey();
      Ledger ledger = entry.getValue();
      Map<String, Long> heldByOrder = ledger.heldByOrder();
      heldByLedger.put(id, heldByOrder);
      long shouldHold = expected.getOrDefault(id, 0L);
      if (ledger.added != ledger.available + shouldHold) {
        findings.violation(kind.owner + " " + id + ": " + kind.added + " " + ledger.added + " != available " + ledger.available
            + " + " + shouldHold + " held by COMPLETED orders");
      }
      if (ledger.available < 0) findings.violation(kind.owner + " " + id + ": available is negative (" + ledger.available + ")");
      heldByOrder.forEach((orderId, amount) -> checkHold(id, orderId, amount, orders.get(orderId), findings));
    }
    // Every COMPLETED order holds what it needs: a ledger that is missing altogether is caught here.
    orders.forEach((orderId, order) -> {
      if (!order.completed()) return;
      for (String ledgerId : kind.ledgersOf(order)) {
        Map<String, Long> heldByOrder = heldByLedger.get(ledgerId);
        if (heldByOrder == null || !heldByOrder.containsKey(orderId)) {
          findings.violation("order " + orderId + ": COMPLETED but " + kind.owner + " " + ledgerId + " holds no " + kind.hold + " for it");
        }
      }
    });
  }

  private void checkHold(String ledgerId, String orderId, long amount, OrderFacts order, AuditFindings findings) {
    String prefix = kind.owner + " " + ledgerId + ": " + kind.hold + " of " + amount + " " + kind.unit + " held for order " + orderId;
    if (order == null || !order.placed()) {
      findings.violation(prefix + ", which does not exist");
    } else if (!order.completed()) {
      findings.violation(prefix + ", which is " + order.status() + " (saga " + order.sagaStatus + ")");
    } else {
      long due = kind.dueFrom(order, ledgerId);
      if (amount != due) findings.violation(prefix + ", which is COMPLETED but " + (due == 0 ? "does not use this " + kind.owner : "needs " + due));
    }
  }
}
