package io.sagaorchestrator.infra.readside;

import akka.projection.eventsourced.EventEnvelope;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Tables the read side keeps from the journal's events: the engine's saga summaries, and what a
 * module adds (the order module's ledger). Each group of events is applied inside the
 * projection's transaction, which also stores the projection's offset, so every event is
 * applied exactly once.
 */
public interface ReadModel {
  /** Whether the model folds this entity's events: the projections deserialize only those. */
  boolean keeps(String persistenceId);

  /** Statements that create the model's tables and indexes if they are missing. */
  List<String> schema(JournalConfig.Kind database);

  /**
   * Applies the events of one group, in journal order; events of entities the model does not
   * keep are skipped. Runs on the projection's JDBC dispatcher, in its transaction.
   */
  void apply(Connection connection, List<EventEnvelope<Object>> events) throws SQLException;
}
