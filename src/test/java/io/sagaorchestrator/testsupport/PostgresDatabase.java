package io.sagaorchestrator.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh database on the local PostgreSQL server for one test, dropped afterwards. The server
 * is reached through SAGA_TEST_PG_URL (set by .ci/run), else 127.0.0.1:5432/postgres; a test
 * needing it is skipped, with the reason, when no server answers.
 */
public final class PostgresDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);
  private static final String ADMIN_URL = System.getenv().getOrDefault("SAGA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
  public static final String USER = System.getenv().getOrDefault("SAGA_TEST_PG_USER", "postgres");
  public static final String PASSWORD = System.getenv().getOrDefault("SAGA_TEST_PG_PASSWORD", "");

  private final String name = "saga_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String url;

  private PostgresDatabase() throws SQLException {
    execute("CREATE DATABASE " + name);
    this.url = ADMIN_URL.replaceFirst("/[^/?]+(\\?.*)?$", "/" + name);
  }

  /** A new database, or the test is skipped with a message naming the server it could not reach. */
  public static PostgresDatabase createOrSkip() {
    try {
      return new PostgresDatabase();
    } catch (SQLException e) {
      Assumptions.abort("PostgreSQL not reachable at " + ADMIN_URL + " (" + e.getMessage() + "): skipping the PostgreSQL tests; "
          + ".ci/run starts the local server");
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return url;
  }

  private static void execute(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** -Dsaga.test.keep-db=true keeps the database for a post-mortem. */
  @Override
  public void close() throws SQLException {
    if (Boolean.getBoolean("saga.test.keep-db")) {
      LOG.info("kept test database {}", url);
      return;
    }
    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
