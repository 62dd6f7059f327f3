package io.sagaorchestrator.infra.audit;

import java.util.Set;

/**
 * One module's invariants over the journal (docs/design.md §4): it folds the events of the entity
 * types it names, in journal order, into small facts of its own, and reports what does not hold
 * once the scan is over. The saga engine's own facts come from {@link SagaAudit}, which every run
 * includes; a check reads them through {@link AuditFindings#sagas()}.
 */
public interface AuditCheck {
  /** The entity types (persistence-id prefixes, "Order" of "Order|o-1") whose events this check reads. */
  Set<String> entityTypes();

  /** One event of one of {@link #entityTypes()}, in journal order. */
  void accept(String entityType, String entityId, long sequenceNr, Object event, AuditFindings findings);

  /** After the last event: add this check's violations and its named counts. */
  void finish(AuditFindings findings);
}
