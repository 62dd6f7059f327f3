package io.sagaorchestrator.infra.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /admin/audit}: whether every invariant of DESIGN.md §4 holds, what
 * was counted, and each violation in words that name the customer, SKU or order.
 *
 * <p>{@code violations} holds at most {@link AuditLedger#MAX_LISTED_VIOLATIONS} entries (sorted);
 * {@code violationCount} is the full number. {@code eventsByEntity} counts the journal rows read
 * per entity type (other writers, such as remembered-entity shards, are counted under their
 * persistence-id prefix).
 */
public record AuditReport(
    boolean ok,
    Map<String, Long> orders,
    Map<String, Long> sagas,
    List<String> violations,
    long violationCount,
    Instant checkedAt,
    long durationMs,
    long eventsRead,
    Map<String, Long> eventsByEntity,
    Entities entities) {

  /** How many of each thing the audit looked at. */
  public record Entities(long orders, long sagas, long customers, long skus, long activeShipments) {}
}
