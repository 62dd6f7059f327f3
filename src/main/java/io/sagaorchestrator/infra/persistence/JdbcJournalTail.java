package io.sagaorchestrator.infra.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.sagaorchestrator.orchestrator.JournalCursor;
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
 * The journal read in windows of its global {@code ordering}, for readers that follow every row
 * with a {@link JournalCursor} (the {@link SagaKeeper}, the cluster-wide event stream): plain JDBC
 * on Akka's blocking dispatcher, a connection per read. The highest ordering is read first, so a
 * value at or below it that is missing from the rows was not visible at that moment (a gap, for
 * the cursor to judge).
 */
public final class JdbcJournalTail implements SagaKeeper.JournalTail {
  private final JournalConfig journal;
  private final String table;
  private final Serialization serialization;
  private final Executor blocking;

  /** A row of the journal; {@code event} is null for the persistence ids the reader did not ask for. */
  public record EventRow(long ordering, String persistenceId, long sequenceNr, Object event) implements JournalCursor.Ordered {}

  /** The rows of one window, with the window's end and the journal's highest ordering when it was read. */
  public record EventWindow(List<EventRow> rows, long windowEnd, long maxOrdering) {}

  public JdbcJournalTail(ActorSystem<?> system, JournalConfig journal) {
    this.journal = journal;
    this.table = JournalConfig.journalTable(system.settings().config());
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  public CompletionStage<SagaKeeper.JournalRead> read(long after, int window) {
    return CompletableFuture.supplyAsync(() -> inWindow(after, window,
        "\"ordering\", \"persistence_id\", \"event_ser_manifest\"",
        (rs, rows) -> rows.add(new SagaKeeper.JournalRow(rs.getLong(1), rs.getString(2), rs.getString(3))),
        SagaKeeper.JournalRead::new), blocking);
  }

  /** The rows after {@code after}, at most {@code window} ordering values of them, with the events of the persistence ids that start with {@code prefix}. */
  public CompletionStage<EventWindow> readEvents(long after, int window, String prefix) {
    return CompletableFuture.supplyAsync(() -> inWindow(after, window,
        "\"ordering\", \"persistence_id\", \"sequence_number\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\"",
        (rs, rows) -> {
          String persistenceId = rs.getString(2);
          Object event = persistenceId.startsWith(prefix)
              ? serialization.deserialize(rs.getBytes(6), rs.getInt(4), rs.getString(5)).get() : null;
          rows.add(new EventRow(rs.getLong(1), persistenceId, rs.getLong(3), event));
        },
        EventWindow::new), blocking);
  }

  /** The journal's highest ordering now: where a reader that wants only what comes next starts. */
  public CompletionStage<Long> highestOrdering() {
    return CompletableFuture.supplyAsync(() -> inWindow(0, 0, "\"ordering\"", (rs, rows) -> {}, (rows, end, max) -> max), blocking);
  }

  private interface RowReader<R> {
    void read(ResultSet rs, List<R> rows) throws SQLException;
  }

  private interface WindowOf<R, W> {
    W of(List<R> rows, long windowEnd, long maxOrdering);
  }

  private <R, W> W inWindow(long after, int window, String columns, RowReader<R> reader, WindowOf<R, W> windowOf) {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
      connection.setReadOnly(true);
      long max;
      try (Statement statement = connection.createStatement();
           ResultSet rs = statement.executeQuery("SELECT MAX(\"ordering\") FROM " + table)) {
        rs.next();
        max = rs.getLong(1);
      }
      long windowEnd = Math.min(max, after + window);
      List<R> rows = new ArrayList<>();
      if (windowEnd > after) {
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT " + columns + " FROM " + table + " WHERE \"ordering\" > ? AND \"ordering\" <= ? ORDER BY \"ordering\"")) {
          select.setLong(1, after);
          select.setLong(2, windowEnd);
          select.setFetchSize(window);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) reader.read(rs, rows);
          }
        }
      }
      return windowOf.of(rows, Math.max(windowEnd, after), max);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the journal: " + e.getMessage(), e);
    }
  }
}
