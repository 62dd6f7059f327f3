package io.sagaorchestrator.infra.audit;

import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The engine's part of the audit, for every definition: each saga's definition and status as its
 * events say, and no saga left running once the system is quiet. Given the definitions of the
 * node that audits, a running or compensating saga that node cannot run counts as BLOCKED
 * (docs/design.md §3.11), and is not quiet either. Section "inFlight" counts the sagas not ended,
 * parked ones included, per definition version and step names they pinned: what the
 * {@code verify-definitions} command checks against a build.
 */
public final class SagaAudit implements AuditCheck {
  private static final String SAGA = SagaEntity.ENTITY_TYPE_KEY.name();

  /** A definition version with the step names its sagas stored when they started; one instance per pin, shared. */
  public record Pin(String definition, int version, List<String> steps) {}

  /** How many sagas not ended are on one pin. */
  public record InFlight(String definition, int version, List<String> steps, long sagas) {}

  /** One saga as its events say: the definition it started on and where it stands. */
  public static final class SagaFacts {
    private String definition;
    private Pin pin;
    private SagaStatus status;
    private long lastSeq;
    private Instant lastAt;

    public String definition() {
      return definition;
    }

    public SagaStatus status() {
      return status;
    }

    /** When its last event was written. */
    public Instant lastAt() {
      return lastAt;
    }
  }

  private final Map<String, SagaFacts> sagas = new HashMap<>();
  private final Map<Pin, Pin> pins = new HashMap<>();
  /** The auditing node's definitions, or null: then no saga is judged BLOCKED. */
  private final SagaDefinitions runnable;

  public SagaAudit(SagaDefinitions runnable) {
    this.runnable = runnable;
  }

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
    if (event instanceof SagaEntity.Event sagaEvent) facts.lastAt = sagaEvent.at();
    if (event instanceof SagaEntity.SagaStarted started) {
      facts.definition = started.definition();
      Pin pin = new Pin(started.definition(), started.version(), List.copyOf(started.stepNames()));
      facts.pin = pins.computeIfAbsent(pin, p -> p);
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
    Map<Pin, Long> inFlight = new HashMap<>();
    Map<Pin, Optional<String>> blockedBy = new HashMap<>();
    forEach((id, facts) -> {
      if (!facts.status.isEnded()) inFlight.merge(facts.pin, 1L, Long::sum);
      boolean moving = facts.status == SagaStatus.RUNNING || facts.status == SagaStatus.COMPENSATING;
      Optional<String> blocked = moving && runnable != null
          ? blockedBy.computeIfAbsent(facts.pin, p -> runnable.cannotRun(p.definition(), p.version(), p.steps()))
          : Optional.empty();
      counts.merge(blocked.isPresent() ? SagaStatus.BLOCKED.name() : facts.status.name(), 1L, Long::sum);
      if (blocked.isPresent()) {
        findings.violation("saga " + id + ": BLOCKED while " + facts.status + " (" + blocked.get() + ")");
      } else if (moving) {
        findings.violation("saga " + id + ": still " + facts.status + " (the system is not quiet, or the saga is stuck)");
      }
    });
    findings.section("sagas", counts);
    List<InFlight> byPin = new ArrayList<>();
    inFlight.forEach((pin, n) -> byPin.add(new InFlight(pin.definition(), pin.version(), pin.steps(), n)));
    byPin.sort(Comparator.comparing(InFlight::definition).thenComparingInt(InFlight::version));
    findings.section("inFlight", byPin);
  }
}
