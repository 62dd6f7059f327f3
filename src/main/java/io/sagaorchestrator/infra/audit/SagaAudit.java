package io.sagaorchestrator.infra.audit;

import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The engine's part of the audit, for every definition: each saga's definition and status as its
 * events say, and no saga left running once the system is quiet.
 */
public final class SagaAudit implements AuditCheck {
  private static final String SAGA = SagaEntity.ENTITY_TYPE_KEY.name();

  /** One saga as its events say: the definition it started on and where it stands. */
  public static final class SagaFacts {
    private String definition;
    private SagaStatus status;
    private long lastSeq;

    public String definition() {
      return definition;
    }

    public SagaStatus status() {
      return status;
    }
  }

  private final Map<String, SagaFacts> sagas = new HashMap<>();

  @Override
  public Set<String> entityTypes() {
    return Set.of(SAGA);
  }

  /** The saga of that id, or null when the journal holds none. */
  public SagaFacts find(String sagaId) {
    SagaFacts facts = sagas.get(sagaId);
    return facts == null || facts.status == null ? null : facts;
  }

  public void forEach(BiConsumer<String, SagaFacts> action) {
    sagas.forEach((id, facts) -> {
      if (facts.status != null) action.accept(id, facts);
    });
  }

  @Override
  public void accept(String entityType, String sagaId, long sequenceNr, Object event, AuditFindings findings) {
    SagaFacts facts = sagas.computeIfAbsent(sagaId, id -> new SagaFacts());
    facts.lastSeq = findings.inSequence(SAGA + "|" + sagaId, facts.lastSeq, sequenceNr);
    if (event instanceof SagaEntity.SagaStarted started) {
      facts.definition = started.definition();
      facts.status = SagaStatus.RUNNING;
    } else if (facts.status == null) {
      findings.violation("saga " + sagaId + ": event " + sequenceNr + " (" + event.getClass().getSimpleName() + ") before SagaStarted");
    } else if (event instanceof SagaEntity.CompensationStarted || event instanceof SagaEntity.StepRefused
        || event instanceof SagaEntity.SagaResumed) {
      facts.status = SagaStatus.COMPENSATING;
    } else if (event instanceof SagaEntity.SagaParked) {
      facts.status = SagaStatus.PARKED;
    } else if (event instanceof SagaEntity.SagaCompleted || event instanceof SagaEntity.LastStepSucceeded) {
      facts.status = SagaStatus.COMPLETED;
    } else if (event instanceof SagaEntity.SagaCompensated) {
      facts.status = SagaStatus.COMPENSATED;
    }
    // Step-level events (succeeded, failed attempt, rejected, compensated) do not change the status.
  }

  @Override
  public void finish(AuditFindings findings) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (SagaStatus status : SagaStatus.values()) counts.put(status.name(), 0L);
    forEach((id, facts) -> {
      counts.merge(facts.status.name(), 1L, Long::sum);
      if (facts.status == SagaStatus.RUNNING || facts.status == SagaStatus.COMPENSATING) {
        findings.violation("saga " + id + ": still " + facts.status + " (the system is not quiet, or the saga is stuck)");
      }
    });
    findings.section("sagas", counts);
  }
}
