package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import io.sagaorchestrator.testsupport.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSchemaTest {

  /** The H2 journal indexes ordering once, also after starting on a journal that has the script's second index. */
  @Test
  void h2JournalIndexesOrderingOnce(@TempDir Path dir) throws Exception {
    var journal = new JournalConfig(JournalConfig.Kind.H2, JournalConfig.h2Url(dir.resolve("journal")), "sa", "", 1);
    JournalSchema.createIfMissing(journal);
    assertEquals(1, indexesOnOrdering(journal));

    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
      connection.createStatement().execute("CREATE UNIQUE INDEX \"event_journal_ordering_idx\" ON \"event_journal\" (\"ordering\")");
    }
    assertEquals(2, indexesOnOrdering(journal));
    JournalSchema.createIfMissing(journal);
    assertEquals(1, indexesOnOrdering(journal));
  }

  /** A new H2 journal stores its rows by ordering; (persistence_id, sequence_number) stays unique. */
  @Test
  void h2JournalIsKeyedByOrdering(@TempDir Path dir) throws Exception {
    var journal = new JournalConfig(JournalConfig.Kind.H2, JournalConfig.h2Url(dir.resolve("journal")), "sa", "", 1);
    JournalSchema.createIfMissing(journal);
    JournalSchema.createIfMissing(journal);
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
      try (ResultSet key = connection.createStatement().executeQuery(
          "SELECT c.column_name FROM information_schema.indexes i JOIN information_schema.index_columns c"
              + " ON c.index_name = i.index_name AND c.table_name = i.table_name"
              + " WHERE i.table_name = 'event_journal' AND i.index_type_name = 'PRIMARY KEY'")) {
        assertTrue(key.next());
        assertEquals("ordering", key.getString(1));
        assertFalse(key.next(), "the primary key is ordering alone");
      }
      String insert = "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
          + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES ('Saga|s-1', 1, 'w', 0, '', X'00', 1, '')";
      connection.createStatement().execute(insert);
      assertThrows(SQLException.class, () -> connection.createStatement().execute(insert), "a second writer's duplicate is refused");
    }
  }

  /** H2 2.3.232 can corrupt a file it compacts while closing: the journal's URL turns that off. */
  @Test
  void h2JournalDoesNotCompactOnClose(@TempDir Path dir) throws Exception {
    try (Connection connection = DriverManager.getConnection(JournalConfig.h2Url(dir.resolve("journal")), "sa", "");
        ResultSet setting = connection.createStatement().executeQuery(
            "SELECT setting_value FROM information_schema.settings WHERE setting_name = 'MAX_COMPACT_TIME'")) {
      setting.next();
      assertEquals("0", setting.getString(1));
    }
  }

  /** The node's H2 journal URL carries saga.h2-page-cache, and H2 applies it. */
  @Test
  void h2JournalUsesTheConfiguredPageCache(@TempDir Path dir) throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("saga.data-dir", dir.toString(), "saga.h2-page-cache", "3MiB"))
        .withFallback(ConfigFactory.parseResources("saga-node.conf")).resolve();
    JournalConfig journal = JournalConfig.from(config);
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        ResultSet setting = connection.createStatement().executeQuery(
            "SELECT setting_value FROM information_schema.settings WHERE setting_name = 'CACHE_SIZE'")) {
      setting.next();
      assertEquals("3072", setting.getString(1));
    }
  }

  private static int indexesOnOrdering(JournalConfig journal) throws SQLException {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        ResultSet indexes = connection.createStatement().executeQuery(
            "SELECT count(*) FROM information_schema.index_columns WHERE table_name = 'event_journal' AND column_name = 'ordering'")) {
      indexes.next();
      return indexes.getInt(1);
    }
  }

  /** Three nodes starting at once on an empty PostgreSQL database all get their tables, and none fails. */
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
