package io.sagaorchestrator.order.readside;

import akka.projection.eventsourced.EventEnvelope;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import java.time.Instant;
import java.util.Optional;

/**
 * One line of a participant's ledger: what an account or a SKU did, for which order, and what
 * that order then holds there ({@code holding}; absent for deposits and restocks).
 */
public record LedgerEntry(Participant participant, String entityId, long seqNr, String kind, String orderId, long amount,
    String detail, Holding holding, Instant at) {

  public enum Participant { ACCOUNT, INVENTORY }

  /** What an order holds at a participant after an entry: held, given back, refused, or a tombstone of a refund before its charge. */
  public enum Holding { HELD, RETURNED, REJECTED, TOMBSTONED }

  /** The ledger entry an envelope holds, if it is a participant's (forgotten records are not entries). */
  static Optional<LedgerEntry> of(EventEnvelope<Object> envelope) {
    return of(envelope.persistenceId(), envelope.sequenceNr(), envelope.event(), Instant.ofEpochMilli(envelope.timestamp()));
  }

  /** The ledger entry of one journal event of a participant, if it makes one. */
  static Optional<LedgerEntry> of(String persistenceId, long seq, Object event, Instant at) {
    if (event instanceof PaymentAccount.Event) return Optional.ofNullable(account(persistenceId, seq, event, at));
    if (event instanceof InventoryItem.Event) return Optional.ofNullable(inventory(persistenceId, seq, event, at));
    return Optional.empty();
  }

  private static LedgerEntry account(String persistenceId, long seq, Object event, Instant at) {
    String id = persistenceId.substring(PaymentAccount.ENTITY_TYPE_KEY.name().length() + 1);
    Participant p = Participant.ACCOUNT;
    if (event instanceof PaymentAccount.Deposited e) return new LedgerEntry(p, id, seq, "DEPOSITED", null, e.amountCents(), null, null, at);
    if (event instanceof PaymentAccount.Charged e) {
      return new LedgerEntry(p, id, seq, "CHARGED", e.orderId(), e.amountCents(), null, Holding.HELD, at);
    }
    if (event instanceof PaymentAccount.ChargeRejected e) {
      return new LedgerEntry(p, id, seq, "CHARGE_REJECTED", e.orderId(), 0, e.reason(), Holding.REJECTED, at);
    }
    if (event instanceof PaymentAccount.Refunded e) {
      return new LedgerEntry(p, id, seq, "REFUNDED", e.orderId(), e.amountCents(), null, Holding.RETURNED, at);
    }
    if (event instanceof PaymentAccount.RefundTombstoned e) {
      return new LedgerEntry(p, id, seq, "REFUND_TOMBSTONED", e.orderId(), 0, "refund before any charge", Holding.TOMBSTONED, at);
    }
    return null;
  }

  private static LedgerEntry inventory(String persistenceId, long seq, Object event, Instant at) {
    String id = persistenceId.substring(InventoryItem.ENTITY_TYPE_KEY.name().length() + 1);
    Participant p = Participant.INVENTORY;
    if (event instanceof InventoryItem.Restocked e) return new LedgerEntry(p, id, seq, "RESTOCKED", null, e.quantity(), null, null, at);
    if (event instanceof InventoryItem.StockReserved e) {
      return new LedgerEntry(p, id, seq, "RESERVED", e.orderId(), e.quantity(), null, Holding.HELD, at);
    }
    if (event instanceof InventoryItem.ReservationRejected e) {
      return new LedgerEntry(p, id, seq, "RESERVATION_REJECTED", e.orderId(), 0, e.reason(), Holding.REJECTED, at);
    }
    if (event instanceof InventoryItem.StockReleased e) {
      return new LedgerEntry(p, id, seq, "RELEASED", e.orderId(), e.quantity(), null, Holding.RETURNED, at);
    }
    if (event instanceof InventoryItem.ReleaseTombstoned e) {
      return new LedgerEntry(p, id, seq, "RELEASE_TOMBSTONED", e.orderId(), 0, "release before any reservation", Holding.TOMBSTONED, at);
    }
    return null;
  }
}
