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
    return Arrays.stream(script.split(";"))
        .map(String::trim)
        .filter(sql -> !sql.isEmpty())
        .map(JournalSchema::reRunnable)
        .toList();
  }

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
