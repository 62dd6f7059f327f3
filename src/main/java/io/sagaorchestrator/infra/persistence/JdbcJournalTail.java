package io.sagaorchestrator.infra.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The {@link SagaKeeper}'s view of the event journal: plain JDBC on Akka's blocking dispatcher,
 * a connection per read. The highest ordering is read first, so a value at or below it that is
 * missing from the rows was not visible at that moment (a gap, for the keeper to judge).
 */
public final class JdbcJournalTail implements SagaKeeper.JournalTail {
  private final JournalConfig journal;
  private final String table;
  private final Executor blocking;

  public JdbcJournalTail(ActorSystem<?> system, JournalConfig journal) {
    this.journal = journal;
    this.table = JournalConfig.journalTable(system.settings().config());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  public CompletionStage<SagaKeeper.JournalRead> read(long after, int window) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
        connection.setReadOnly(true);
        long max;
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT MAX(\"ordering\") FROM " + table)) {
          rs.next();
          max = rs.getLong(1);
        }
        long windowEnd = Math.min(max, after + window);
        List<SagaKeeper.JournalRow> rows = new ArrayList<>();
        if (windowEnd > after) {
          try (PreparedStatement select = connection.prepareStatement(
              "SELECT \"ordering\", \"persistence_id\", \"event_ser_manifest\" FROM " + table
                  + " WHERE \"ordering\" > ? AND \"ordering\" <= ? ORDER BY \"ordering\"")) {
            select.setLong(1, after);
            select.setLong(2, windowEnd);
            select.setFetchSize(window);
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) rows.add(new SagaKeeper.JournalRow(rs.getLong(1), rs.getString(2), rs.getString(3)));
            }
          }
        }
        return new SagaKeeper.JournalRead(rows, Math.max(windowEnd, after), max);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the journal: " + e.getMessage(), e);
      }
    }, blocking);
  }
}
