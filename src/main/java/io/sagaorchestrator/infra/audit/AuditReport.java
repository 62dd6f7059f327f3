package io.sagaorchestrator.infra.audit;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /admin/audit}: whether every invariant of docs/design.md §4 holds, each
 * violation in words that name the saga, order, customer or SKU, and what each check counted.
 *
 * <p>{@code violations} holds at most {@value AuditFindings#MAX_LISTED_VIOLATIONS} entries (sorted);
 * {@code violationCount} is the full number. {@code eventsByEntity} counts the journal rows read
 * per entity type (other writers, such as remembered-entity shards, are counted under their
 * persistence-id prefix). Each check's counts appear as top-level fields ("sagas", "orders", …).
 */
public record AuditReport(
    boolean ok,
    List<String> violations,
    long violationCount,
    Instant checkedAt,
    long durationMs,
    long eventsRead,
    Map<String, Long> eventsByEntity,
    @JsonIgnore Map<String, Object> sections) {

  @JsonAnyGetter
  Map<String, Object> sectionsAsFields() {
    return sections;
  }

  /** A section's counts, as its check added them. */
  @SuppressWarnings("unchecked")
  public <T> T section(String name) {
    return (T) sections.get(name);
  }
}
