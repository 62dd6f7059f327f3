package io.sagaorchestrator.infra.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an audit run has found so far: violations in words, and each check's named counts. */
public final class AuditFindings {
  static final int MAX_LISTED_VIOLATIONS = 1000;

  private final List<String> violations = new ArrayList<>();
  private final Map<String, Object> sections = new LinkedHashMap<>();
  private final SagaAudit sagas;

  AuditFindings(SagaAudit sagas) {
    this.sagas = sagas;
  }

  public void violation(String description) {
    violations.add(description);
  }

  /** A section of the report ("orders": counts by status), named by the check that adds it. */
  public void section(String name, Object counts) {
    sections.put(name, counts);
  }

  /** The sagas' facts, for checks whose invariants depend on how a saga ended. */
  public SagaAudit sagas() {
    return sagas;
  }

  /**
   * Events are never deleted: every entity's history starts at 1 and has no gaps. Returns the
   * entity's new last sequence number.
   */
  public long inSequence(String persistenceId, long lastSeq, long sequenceNr) {
    if (sequenceNr != lastSeq + 1) {
      violations.add("journal: " + persistenceId + " has event " + sequenceNr + " after " + lastSeq
          + " (history incomplete or out of order; the audit cannot vouch for this entity)");
    }
    return Math.max(lastSeq, sequenceNr);
  }

  long violationCount() {
    return violations.size();
  }

  List<String> listedViolations() {
    return violations.stream().sorted().limit(MAX_LISTED_VIOLATIONS).toList();
  }

  Map<String, Object> sections() {
    return sections;
  }
}
