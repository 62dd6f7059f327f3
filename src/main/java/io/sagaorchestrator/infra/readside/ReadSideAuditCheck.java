package io.sagaorchestrator.infra.readside;

import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.audit.AuditFindings;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The audit's check of {@code saga_summary} against the journal (docs/design.md §9): every saga
 * the journal holds has its row with the status its events give. A row that is only behind (missing,
 * or still showing an earlier status) counts as lag while the saga's last event is younger than
 * {@code allowedLag}, and as a violation after: the read side missed it. A row the journal does
 * not explain, or an ended saga shown with another ending, is a violation at once.
 */
final class ReadSideAuditCheck implements AuditCheck {
  private final ReadSideDatabase database;
  private final Duration allowedLag;
  /** Sagas started after the run began are not in the journal it scans. */
  private final Instant runStarted = Instant.now();

  /** One per audit run, made as the run starts. */
  ReadSideAuditCheck(ReadSideDatabase database, Duration allowedLag) {
    this.database = database;
    this.allowedLag = allowedLag;
  }

  @Override
  public Set<String> entityTypes() {
    return Set.of();
  }

  @Override
  public void accept(String entityType, String entityId, long sequenceNr, Object event, AuditFindings findings) {
    // Reads no events: it compares the sagas' facts the engine's own check gathered.
  }

  @Override
  public void finish(AuditFindings findings) {
    Map<String, SagaStatus> rows;
    try {
      rows = database.query(this::statuses).toCompletableFuture().join();
    } catch (RuntimeException e) {
      findings.violation("read side: saga_summary cannot be read (" + e.getMessage() + ")");
      return;
    }
    Instant lagLimit = Instant.now().minus(allowedLag);
    long[] counts = new long[3];
    findings.sagas().forEach((sagaId, facts) -> {
      SagaStatus shown = rows.remove(sagaId);
      if (shown == facts.status()) {
        counts[0]++;
      } else if (shown != null && shown.isEnded()) {
        findings.violation("read side: saga " + sagaId + " shown " + shown + " but its events say " + facts.status());
      } else if (facts.lastAt() != null && facts.lastAt().isAfter(lagLimit)) {
        counts[1]++;
      } else {
        counts[2]++;
        findings.violation("read side: saga " + sagaId + " shown " + (shown == null ? "nowhere" : shown.name())
            + " but its events say " + facts.status() + " since " + facts.lastAt() + " (longer than " + allowedLag + ")");
      }
    });
    rows.keySet().forEach(sagaId -> findings.violation("read side: saga " + sagaId + " has a row but no events in the journal"));
    Map<String, Long> section = new LinkedHashMap<>();
    section.put("agreeing", counts[0]);
    section.put("behind", counts[1]);
    section.put("missed", counts[2]);
    section.put("unknown", (long) rows.size());
    findings.section("readSide", section);
  }

  private Map<String, SagaStatus> statuses(Connection connection) throws SQLException {
    Map<String, SagaStatus> statuses = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT saga_id, status FROM saga_summary WHERE started_at < ?")) {
      select.setTimestamp(1, Timestamp.from(runStarted));
      select.setFetchSize(5_000);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) statuses.put(rs.getString(1), SagaStatus.valueOf(rs.getString(2)));
      }
    }
    return statuses;
  }
}
