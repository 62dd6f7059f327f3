package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import io.sagaorchestrator.testsupport.PostgresDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Three nodes starting at once on an empty PostgreSQL database all get their tables, and none fails. */
class JournalSchemaTest {

  @Test
  void createsThePostgresSchemaOnceWhenSeveralNodesStartAtOnce() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.createOrSkip()) {
      var journal = new JournalConfig(JournalConfig.Kind.POSTGRES, database.url(), PostgresDatabase.USER, PostgresDatabase.PASSWORD, 2);
      List<CompletableFuture<Void>> starts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        starts.add(CompletableFuture.runAsync(() -> {
          try {
            JournalSchema.createIfMissing(journal);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
      JournalSchema.createIfMissing(journal);
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
          ResultSet tables = connection.createStatement().executeQuery(
              "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('event_journal', 'event_tag', 'snapshot', 'durable_state')")) {
        tables.next();
        assertEquals(4, tables.getInt(1));
      }
    }
  }
}
