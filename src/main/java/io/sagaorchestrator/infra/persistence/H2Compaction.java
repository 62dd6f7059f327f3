package io.sagaorchestrator.infra.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 journal file from growing with every commit. Each commit writes a new
 * chunk of pages; a chunk's space is reused only once none of its pages is live, and nearly every
 * chunk keeps a few (index pages of sagas that ended). H2 rewrites such pages in its background
 * writer, which {@code WRITE_DELAY=0} switches off: without this the file grows with every saga
 * and H2 keeps metadata for every chunk on the heap. This does the
 * same rewrite on a timer, through H2's own {@link MVStore#compact}, and stores the pages it moved
 * at once: left for the next commit, they stayed in memory, outside H2's bounded page cache, for
 * as long as the node was idle.
 * Under load the small rounds fall behind; rounds that find the journal idle catch up (see
 * {@link Settings}), which is what keeps the number of chunks, and H2's metadata for them, down.
 */
public final class H2Compaction implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(H2Compaction.class);

  /**
   * Rounds rewrite at most {@code maxWriteBytes} while the store is below {@code targetFillRate};
   * when nothing but the last round committed since the round before, the journal is idle and a
   * round may take {@code idleMaxWriteBytes} up to {@code idleTargetFillRate}: only a commit that
   * arrives during such a round waits for it.
   */
  public record Settings(Duration interval, int targetFillRate, int maxWriteBytes, int idleTargetFillRate, int idleMaxWriteBytes) {
    public static Settings from(Config config) {
      Config c = config.getConfig("saga.h2-compaction");
      return new Settings(c.getDuration("interval"), c.getInt("target-fill-rate"), bytes(c, "max-write"),
          c.getInt("idle-target-fill-rate"), bytes(c, "idle-max-write"));
    }

    private static int bytes(Config c, String path) {
      return (int) Math.min(Integer.MAX_VALUE, c.getBytes(path));
    }
  }

  private final Connection connection;
  private final MVStore store;
  private final Settings settings;
  /** The store's version after the last round; the same version at the next round means no commit came between. */
  private long versionAfterLastRound = -1;
  /** Set by a round that found the journal idle and nothing to rewrite: the rounds are done with the last load. */
  private volatile boolean caughtUp;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "h2-compaction");
    thread.setDaemon(true);
    return thread;
  });

  private H2Compaction(Connection connection, Settings settings) throws SQLException {
    this.connection = connection;
    this.settings = settings;
    this.store = storeOf(connection);
  }

  /** The store under an embedded H2 connection: every connection to the journal shares the database's one store. */
  static MVStore storeOf(Connection connection) throws SQLException {
    return ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
  }

  /** Opens a connection to the journal's database and compacts every {@code settings.interval}. */
  public static H2Compaction start(JournalConfig journal, Settings settings) throws SQLException {
    Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
    try {
      var compaction = new H2Compaction(connection, settings);
      long every = settings.interval().toMillis();
      compaction.timer.scheduleWithFixedDelay(compaction::compactSafely, every, every, TimeUnit.MILLISECONDS);
      return compaction;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** One round: rewrites live pages of chunks below the target fill rate and stores them; false when none were. */
  boolean compactOnce() {
    boolean idle = store.getCurrentVersion() == versionAfterLastRound;
    boolean moved = idle
        ? store.compact(settings.idleTargetFillRate(), settings.idleMaxWriteBytes())
        : store.compact(settings.targetFillRate(), settings.maxWriteBytes());
    if (moved) store.commit();
    versionAfterLastRound = store.getCurrentVersion();
    caughtUp = idle && !moved;
    return moved;
  }

  /** True once an idle round found no chunk below the idle target, until a round finds a commit since the one before. */
  public boolean caughtUp() {
    return caughtUp;
  }

  private void compactSafely() {
    try {
      compactOnce();
    } catch (RuntimeException e) {
      log.warn("H2 journal compaction failed (the next round tries again): {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("closing the H2 compaction connection: {}", e.toString());
    }
  }
}
