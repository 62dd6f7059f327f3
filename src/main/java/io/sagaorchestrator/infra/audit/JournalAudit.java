package io.sagaorchestrator.infra.audit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.util.Try;

/**
 * The consistency audit of docs/design.md §4, read-only: it scans the event journal table with
 * plain JDBC in {@code ordering} order, page by page (so memory stays flat however long the
 * journal is, and no transaction is held open), deserializes each event with the actor system's
 * own serializers, and hands it to an {@link AuditRun} of the modules' {@link AuditCheck}s. A page
 * is a window of {@link #PAGE_SIZE} ordering values, not "the next N rows": PostgreSQL's generic
 * plan for an open-ended range with a row limit scans every remaining row per page, so the cost
 * would grow with the square of the journal.
 *
 * <p>It runs on Akka's blocking dispatcher.
 * Only rows present when the audit starts are read; "after the system is quiet" is the
 * caller's job (sagas still running are reported, as violations).
 */
public final class JournalAudit {
  private static final Logger log = LoggerFactory.getLogger(JournalAudit.class);
  static final int PAGE_SIZE = 5_000;

  private final Serialization serialization;
  private final Executor blocking;
  private final JournalConfig journal;
  private final String table;
  private final Supplier<List<AuditCheck>> checks;
  private final SagaDefinitions definitions;

  /**
   * {@code checks} gives fresh checks for each run (they hold that run's facts); {@code definitions}
   * are the node's, against which in-flight sagas are judged BLOCKED or not ({@link SagaAudit}).
   */
  public JournalAudit(ActorSystem<?> system, JournalConfig journal, Supplier<List<AuditCheck>> checks, SagaDefinitions definitions) {
    this.checks = checks;
    this.definitions = definitions;
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.journal = journal;
    this.table = JournalConfig.journalTable(system.settings().config());
  }

  /** A scan of its own per request, so the answer covers every write acknowledged before it was asked. */
  public CompletionStage<AuditReport> run() {
    return CompletableFuture.supplyAsync(this::scan, blocking);
  }

  private AuditReport scan() {
    long started = System.nanoTime();
    Instant checkedAt = Instant.now();
    AuditRun run = new AuditRun(checks.get(), definitions);
    String select = "SELECT \"persistence_id\", \"sequence_number\", \"event_ser_id\", \"event_ser_manifest\", "
        + "\"event_payload\" FROM " + table + " WHERE \"ordering\" > ? AND \"ordering\" <= ? AND \"deleted\" = FALSE "
        + "ORDER BY \"ordering\"";
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
      connection.setReadOnly(true);
      long[] range = orderingRange(connection);
      long after = range[0] - 1;
      long upTo = range[1];
      try (PreparedStatement page = connection.prepareStatement(select)) {
        page.setFetchSize(PAGE_SIZE);
        while (after < upTo) {
          long until = Math.min(upTo, after + PAGE_SIZE);
          page.setLong(1, after);
          page.setLong(2, until);
          try (ResultSet rs = page.executeQuery()) {
            while (rs.next()) read(run, rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs, 5);
          }
          after = until;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("audit cannot read the journal: " + e.getMessage(), e);
    }
    long durationMs = (System.nanoTime() - started) / 1_000_000;
    AuditReport report = run.finish(checkedAt, durationMs);
    log.info("audit: {} ({} violations) over {} events, in {} ms", report.ok() ? "ok" : "FAILED",
        report.violationCount(), report.eventsRead(), durationMs);
    return report;
  }

  /** The lowest and highest ordering in the journal; {@code [1, 0]} when it is empty. */
  private long[] orderingRange(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery("SELECT MIN(\"ordering\"), MAX(\"ordering\") FROM " + table)) {
      rs.next();
      long min = rs.getLong(1);
      return rs.wasNull() ? new long[] {1, 0} : new long[] {min, rs.getLong(2)};
    }
  }

  private void read(AuditRun run, String persistenceId, long sequenceNr, int serializerId, String manifest,
      ResultSet rs, int payloadColumn) throws SQLException {
    if (run.auditedType(persistenceId) == null) {
      run.skipped(persistenceId);
      return;
    }
    byte[] payload = rs.getBytes(payloadColumn);
    Try<Object> event = serialization.deserialize(payload, serializerId, manifest);
    if (event.isSuccess()) {
      run.accept(persistenceId, sequenceNr, event.get());
    } else {
      Throwable error = event.failed().get();
      run.unreadable(persistenceId, sequenceNr, error.getClass().getSimpleName() + ": " + error.getMessage());
    }
  }
}
