package io.sagaorchestrator.infra.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal, snapshot and durable-state tables from the scripts shipped in the
 * akka-persistence-jdbc jar, on every start. Each statement is made re-runnable, and on
 * PostgreSQL an advisory lock lets several nodes start at once.
 */
public final class JournalSchema {
  private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);
  private static final long POSTGRES_SCHEMA_LOCK = 0x5a6a_0001L;

  private JournalSchema() {}

  public static void createIfMissing(JournalConfig journal) throws SQLException {
    List<String> statements = statements(journal.kind());
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        if (journal.kind() == JournalConfig.Kind.POSTGRES) statement.execute("SELECT pg_advisory_lock(" + POSTGRES_SCHEMA_LOCK + ")");
        try {
          for (String sql : statements) statement.execute(sql);
        } finally {
          if (journal.kind() == JournalConfig.Kind.POSTGRES) statement.execute("SELECT pg_advisory_unlock(" + POSTGRES_SCHEMA_LOCK + ")");
        }
      }
    }
    log.info("journal schema ready ({} statements, {})", statements.size(), journal.kind());
  }

  static List<String> statements(JournalConfig.Kind kind) {
    String resource = kind == JournalConfig.Kind.H2 ? "/schema/h2/h2-create-schema.sql" : "/schema/postgres/postgres-create-schema.sql";
    String script;
    try (InputStream in = JournalSchema.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("schema script " + resource + " is not on the classpath");
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> created = Arrays.stream(script.split(";"))
        .map(String::trim)
        .filter(sql -> !sql.isEmpty())
        .map(JournalSchema::reRunnable)
        .toList();
    if (kind != JournalConfig.Kind.H2) return created;
    return Stream.concat(
            created.stream().filter(sql -> !sql.contains(H2_DUPLICATE_ORDERING_INDEX)).map(JournalSchema::keyedByOrdering),
            H2_TUNING.stream())
        .toList();
  }

  private static final String H2_JOURNAL_TABLE = "CREATE TABLE IF NOT EXISTS \"event_journal\" (";
  private static final String H2_ORDERING_COLUMN = "\"ordering\" BIGINT UNIQUE NOT NULL AUTO_INCREMENT";
  private static final String H2_PERSISTENCE_ID_KEY = "PRIMARY KEY(\"persistence_id\",\"sequence_number\")";

  /**
   * H2 stores a table's rows by its primary key when that is one BIGINT column, else by a hidden
   * row id with the primary key as one more index. The script keys the journal by (persistence_id,
   * sequence_number), so every event was written to three maps: rows, that key, and the unique
   * index on ordering; each insert also logs an undo entry per map for the commit to clear. Keyed
   * by ordering instead, an event goes to two (rows by ordering, and (persistence_id,
   * sequence_number) as a unique index, which still refuses a second writer's duplicate). Queries
   * by ordering (the keeper's tail, the audit) read the rows directly. Only a new journal is
   * created so; an existing one keeps the layout it was created with, which works the same.
   */
  private static String keyedByOrdering(String sql) {
    if (!sql.startsWith(H2_JOURNAL_TABLE)) return sql;
    if (!sql.contains(H2_ORDERING_COLUMN) || !sql.contains(H2_PERSISTENCE_ID_KEY)) {
      throw new IllegalStateException("the H2 journal script's table is not the one this version knows: " + sql);
    }
    return sql
        .replace(H2_ORDERING_COLUMN, "\"ordering\" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY")
        .replace(H2_PERSISTENCE_ID_KEY, "CONSTRAINT \"event_journal_persistence_id_sequence_number\" UNIQUE(\"persistence_id\",\"sequence_number\")");
  }

  /**
   * The H2 script declares {@code ordering} UNIQUE and then indexes it uniquely a second time:
   * every event paid for two identical indexes (an insert and a uniqueness check each, and their
   * pages in every commit). The column's own unique index serves every query by ordering.
   */
  private static final String H2_DUPLICATE_ORDERING_INDEX = "\"event_journal_ordering_idx\"";

  /**
   * H2 hands out identity values from a cache of 32 and writes the sequence back, in a commit
   * of its own, each time the cache runs out: with WRITE_DELAY=0 that is a full store of every
   * dirty page per 32 events, a large share of a loaded node's CPU. A larger cache only leaves a
   * gap in {@code ordering} after a crash, which the journal tolerates.
   */
  private static final List<String> H2_TUNING = List.of(
      "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE 100000",
      "DROP INDEX IF EXISTS " + H2_DUPLICATE_ORDERING_INDEX);

  /**
   * CONCURRENTLY is dropped: it waits for every open transaction, including another node's
   * session waiting on the advisory lock, which deadlocks a simultaneous first start.
   */
  private static String reRunnable(String sql) {
    return sql
        .replaceFirst("(?i)^CREATE INDEX CONCURRENTLY ", "CREATE INDEX ")
        .replaceFirst("(?i)^CREATE UNIQUE INDEX (?!IF NOT EXISTS)", "CREATE UNIQUE INDEX IF NOT EXISTS ")
        .replaceFirst("(?i)^CREATE INDEX (?!IF NOT EXISTS)", "CREATE INDEX IF NOT EXISTS ");
  }
}
