package io.sagaorchestrator.infra.audit;

import io.sagaorchestrator.orchestrator.SagaDefinitions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One pass of the audit: every journal row in order goes to {@link #accept} (or {@link #skipped}
 * when no check reads its entity type), then {@link #finish} gives the report. It holds what its
 * checks hold (one small record per saga, order, account…) and nothing else that grows with the journal.
 */
public final class AuditRun {
  private final SagaAudit sagas;
  private final AuditFindings findings;
  private final List<AuditCheck> checks = new ArrayList<>();
  /** The checks that read each entity type, in the order they were added. */
  private final Map<String, List<AuditCheck>> checksByType = new HashMap<>();
  private final Map<String, Long> eventsByEntity = new TreeMap<>();
  private long eventsRead;

  public AuditRun(List<AuditCheck> moduleChecks) {
    this(moduleChecks, null);
  }

  /** {@code definitions}: the auditing node's, so that sagas it cannot run count as BLOCKED ({@link SagaAudit}). */
  public AuditRun(List<AuditCheck> moduleChecks, SagaDefinitions definitions) {
    sagas = new SagaAudit(definitions);
    findings = new AuditFindings(sagas);
    add(sagas);
    moduleChecks.forEach(this::add);
  }

  private void add(AuditCheck check) {
    checks.add(check);
    for (String type : check.entityTypes()) checksByType.computeIfAbsent(type, key -> new ArrayList<>()).add(check);
  }

  /** The entity type of a persistence id ("Order|o-1" → "Order") when a check reads it, else null. */
  public String auditedType(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    if (bar <= 0) return null;
    String type = persistenceId.substring(0, bar);
    return checksByType.containsKey(type) ? type : null;
  }

  /** One event, in journal order. */
  public void accept(String persistenceId, long sequenceNr, Object event) {
    String type = auditedType(persistenceId);
    if (type == null) {
      skipped(persistenceId);
      return;
    }
    eventsRead++;
    eventsByEntity.merge(type, 1L, Long::sum);
    String entityId = persistenceId.substring(type.length() + 1);
    for (AuditCheck check : checksByType.get(type)) check.accept(type, entityId, sequenceNr, event, findings);
  }

  /** Counts a row the audit does not interpret (another writer's, e.g. remembered-entity shards). */
  public void skipped(String persistenceId) {
    eventsRead++;
    int cut = persistenceId.indexOf('|');
    if (cut < 0) cut = persistenceId.lastIndexOf('/');
    eventsByEntity.merge(cut <= 0 ? persistenceId : persistenceId.substring(0, cut), 1L, Long::sum);
  }

  /** An event that could not be deserialized: the audit cannot vouch for that entity. */
  public void unreadable(String persistenceId, long sequenceNr, String error) {
    eventsRead++;
    String type = auditedType(persistenceId);
    eventsByEntity.merge(type == null ? persistenceId : type, 1L, Long::sum);
    findings.violation("journal: event " + sequenceNr + " of " + persistenceId + " cannot be read: " + error);
  }

  public AuditReport finish(Instant checkedAt, long durationMs) {
    checks.forEach(check -> check.finish(findings));
    long violationCount = findings.violationCount();
    return new AuditReport(violationCount == 0, findings.listedViolations(), violationCount, checkedAt, durationMs,
        eventsRead, Collections.unmodifiableMap(eventsByEntity), Collections.unmodifiableMap(findings.sections()));
  }
}
