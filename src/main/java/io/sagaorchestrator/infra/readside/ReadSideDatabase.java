package io.sagaorchestrator.infra.readside;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.projection.jdbc.JdbcSession;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A small pool of the read side's own connections to one database (its tables', or the
 * journal's that the projections read), so queries and projections never wait behind the
 * journal's writers for a connection. Queries run on Akka's blocking dispatcher.
 */
public final class ReadSideDatabase implements AutoCloseable {
  private final HikariDataSource pool;
  private final Executor blocking;
  private final JournalConfig.Kind kind;

  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  public ReadSideDatabase(ActorSystem<?> system, JournalConfig journal, String name, String url, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername(journal.user());
    config.setPassword(journal.password());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    this.pool = new HikariDataSource(config);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.kind = journal.kind();
  }

  public JournalConfig.Kind kind() {
    return kind;
  }

  /** A read-only query, off the caller's thread. */
  public <T> CompletionStage<T> query(SqlWork<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = pool.getConnection()) {
        connection.setReadOnly(true);
        try {
          return work.apply(connection);
        } finally {
          connection.rollback();
          connection.setReadOnly(false);
        }
      } catch (SQLException e) {
        throw new CompletionException(new IllegalStateException("the read side cannot be read: " + e.getMessage(), e));
      }
    }, blocking);
  }

  /** Runs {@code work} in a transaction of its own and commits it. */
  public void update(SqlWork<?> work) throws SQLException {
    try (Connection connection = pool.getConnection()) {
      try {
        work.apply(connection);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /** A session for one of the projection's transactions. */
  public Session session() {
    return new Session(null);
  }

  /** A session inside {@code connection}'s transaction, which its owner commits and closes. */
  Session sessionOn(Connection connection) {
    return new Session(connection);
  }

  @Override
  public void close() {
    pool.close();
  }

  /**
   * One transaction of a projection: its rows and its offset commit together. A session on a
   * borrowed connection leaves committing and closing to the connection's owner.
   */
  public final class Session implements JdbcSession {
    private final boolean borrowed;
    private Connection connection;

    private Session(Connection borrowedConnection) {
      this.borrowed = borrowedConnection != null;
      this.connection = borrowedConnection;
    }

    @Override
    public <R> R withConnection(akka.japi.function.Function<Connection, R> work) throws Exception {
      if (connection == null) connection = pool.getConnection();
      return work.apply(connection);
    }

    @Override
    public void commit() throws SQLException {
      if (connection != null && !borrowed) connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
      if (connection != null && !borrowed) connection.rollback();
    }

    @Override
    public void close() throws SQLException {
      if (connection != null && !borrowed) connection.close();
      connection = null;
    }
  }
}
