package io.sagaorchestrator.infra.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One entity's events straight from the journal table, after a journal offset (its global
 * {@code ordering}): plain JDBC on Akka's blocking dispatcher, a connection per read, as the
 * audit and the saga keeper read it.
 */
public final class EntityEvents {
  private final JournalConfig journal;
  private final String select;
  private final Serialization serialization;
  private final Executor blocking;

  /** An event with its journal offset. */
  public record Stored(long ordering, long sequenceNr, Object event) {}

  public EntityEvents(ActorSystem<?> system, JournalConfig journal) {
    this.journal = journal;
    this.select = "SELECT \"ordering\", \"sequence_number\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\" FROM "
        + JournalConfig.journalTable(system.settings().config())
        + " WHERE \"persistence_id\" = ? AND \"ordering\" > ? AND \"deleted\" = FALSE ORDER BY \"sequence_number\"";
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** The events of {@code persistenceId} written after journal offset {@code after}, in their order. */
  public CompletionStage<List<Stored>> after(String persistenceId, long after) {
    return CompletableFuture.supplyAsync(() -> {
      List<Stored> events = new ArrayList<>();
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
          PreparedStatement statement = connection.prepareStatement(select)) {
        statement.setString(1, persistenceId);
        statement.setLong(2, after);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            Object event = serialization.deserialize(rs.getBytes(5), rs.getInt(3), rs.getString(4)).get();
            events.add(new Stored(rs.getLong(1), rs.getLong(2), event));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the journal: " + e.getMessage(), e);
      }
      return events;
    }, blocking);
  }
}
