package io.sagaorchestrator.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.client.Polling;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the bench drives: a node it starts itself, in this JVM, or nodes that run elsewhere. */
sealed interface BenchTarget extends AutoCloseable {
  List<URI> urls();

  String adminToken();

  String describe();

  /** Rows in the journal table, when the bench can see the journal (its own node). */
  OptionalLong journalRows();

  /**
   * Heap in use after a full GC once the node is idle: ended sagas passivated, shipments left
   * memory, participants forgot ended sagas' records, the client's idle connections closed, and
   * the readings settled (own node only). What remains is what the node keeps, not what the last
   * seconds of load left in flight. Each reading is shown on {@code progress}.
   */
  OptionalLong heapAfterGc(PrintWriter progress);

  @Override
  void close();

  /** A node in this JVM on a fresh data directory (H2) or a fresh database (PostgreSQL), removed at the end. */
  final class OwnNode implements BenchTarget {
    private final SagaNode node;
    private final JournalConfig journal;
    private final Duration idleAfter;
    private final Path createdDir;
    private final JournalConfig postgresServer;
    private final String createdDatabase;
    private final String description;

    private OwnNode(SagaNode node, JournalConfig journal, Duration idleAfter, Path createdDir,
        JournalConfig postgresServer, String createdDatabase, String description) {
      this.node = node;
      this.journal = journal;
      this.idleAfter = idleAfter;
      this.createdDir = createdDir;
      this.postgresServer = postgresServer;
      this.createdDatabase = createdDatabase;
      this.description = description;
    }

    /**
     * @param dataDir where the H2 journal goes; null: a new temporary directory, removed at the end unless {@code keep}
     * @param postgresServer for the postgres journal: the server to create the bench's database on
     * @param layer configuration under the bench's own settings, over the node's (a saga declared in configuration)
     */
    static OwnNode start(String journalKind, Path dataDir, JournalConfig postgresServer, String runId, boolean keep, Config layer)
        throws Exception {
      Path createdDir = null;
      if (dataDir == null) {
        dataDir = Files.createTempDirectory("saga-bench-");
        createdDir = keep ? null : dataDir;
      }
      Map<String, Object> overrides = new HashMap<>();
      overrides.put("saga.data-dir", dataDir.toString());
      overrides.put("saga.journal", journalKind);
      overrides.put("saga.http.host", "127.0.0.1");
      overrides.put("saga.http.port", 0);
      overrides.put("akka.remote.artery.canonical.port", 0);
      overrides.put("akka.cluster.seed-nodes", List.of());
      overrides.put("saga.cluster.seed-nodes", List.of());
      String database = null;
      if (journalKind.equals("postgres")) {
        database = "saga_bench_" + runId;
        PostgresScratch.create(postgresServer, database);
        overrides.put("saga.db.url", PostgresScratch.urlFor(postgresServer.url(), database));
        overrides.put("saga.db.user", postgresServer.user());
        overrides.put("saga.db.password", postgresServer.password());
      }
      try {
        Config config = NodeConfig.load(ConfigFactory.parseMap(overrides).withFallback(layer));
        JournalConfig journal = JournalConfig.from(config);
        SagaNode node = SagaNode.start(config);
        String where = journal.kind() == JournalConfig.Kind.H2
            ? "H2 file journal in " + JournalConfig.dataDir(config) + (createdDir == null ? " (kept)" : " (temporary)")
            : "PostgreSQL journal in database " + database + (keep ? " (kept)" : " (dropped at the end)");
        return new OwnNode(node, journal, idleAfter(config), createdDir,
            keep ? null : postgresServer, keep ? null : database,
            "in-process node on http://127.0.0.1:" + node.httpPort() + ", " + where);
      } catch (Exception | Error e) {
        if (database != null && !keep) PostgresScratch.drop(postgresServer, database);
        if (createdDir != null) Directories.deleteTree(createdDir);
        throw e;
      }
    }

    /** The same file a node started from the command line would read: -Dconfig.file, else ./conf/application.conf. */
    JournalConfig journal() {
      return journal;
    }

    @Override
    public List<URI> urls() {
      return List.of(URI.create("http://127.0.0.1:" + node.httpPort()));
    }

    @Override
    public String adminToken() {
      return node.adminToken();
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public OptionalLong journalRows() {
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
           Statement statement = connection.createStatement();
           ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
        rs.next();
        return OptionalLong.of(rs.getLong(1));
      } catch (SQLException e) {
        return OptionalLong.empty();
      }
    }

    /**
     * The longest of the timers after which an ended saga's entities and records leave memory, or
     * the bench client's idle connections close, plus their check interval.
     */
    private static Duration idleAfter(Config config) {
      return Stream.concat(
              Stream.of("saga.engine.passivate-after-end", "saga.shipping.idle-passivation", "saga.participants.forget-after").map(config::getDuration),
              Stream.of(BenchHttp.KEEP_ALIVE))
          .max(Duration::compareTo)
          .orElseThrow()
          .plusSeconds(2);
    }

    private static final Duration SETTLE_STEP = Duration.ofSeconds(2);
    /** Readings in a row that must agree within {@link #SETTLED_SPREAD} before the last one counts. */
    private static final int SETTLED_READINGS = 3;
    private static final double SETTLED_SPREAD = 0.01;
    private static final int MAX_READINGS = 30;
    private static final Duration MAX_COMPACTION_WAIT = Duration.ofMinutes(2);

    /**
     * Waits for the idle timers first. After a load the H2 journal's compaction goes on rewriting
     * for a while and holds pages meanwhile, so the heap is read once it has caught up, and until
     * {@value #SETTLED_READINGS} readings in a row agree: a heap that grew with the orders shows
     * all the same.
     */
    @Override
    public OptionalLong heapAfterGc(PrintWriter progress) {
      Executor afterIdle = CompletableFuture.delayedExecutor(idleAfter.toMillis(), TimeUnit.MILLISECONDS);
      CompletableFuture<Long> heap = CompletableFuture.runAsync(() -> {}, afterIdle)
          .thenCompose(idle -> compactionCaughtUp(progress))
          .thenCompose(caughtUp -> {
            if (!caughtUp) {
              progress.printf(Locale.ROOT, "the journal's compaction has not caught up after %d s; reading the heap all the same%n",
                  MAX_COMPACTION_WAIT.toSeconds());
            }
            List<Long> readings = new ArrayList<>();
            return Polling.until(() -> CompletableFuture.completedFuture(read(readings, progress)),
                OwnNode::lastReadingCounts, SETTLE_STEP);
          })
          .thenApply(readings -> readings.get(readings.size() - 1));
      try {
        return OptionalLong.of(heap.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OptionalLong.empty();
      } catch (ExecutionException e) {
        throw new IllegalStateException("reading the heap failed", e.getCause());
      }
    }

    private CompletableFuture<Boolean> compactionCaughtUp(PrintWriter progress) {
      if (!node.journalCompactionCaughtUp()) {
        progress.println("waiting for the journal's compaction to catch up before reading the heap …");
        progress.flush();
      }
      return Polling.until(() -> CompletableFuture.completedFuture(node.journalCompactionCaughtUp()), caughtUp -> caughtUp, SETTLE_STEP,
          MAX_COMPACTION_WAIT);
    }

    /** Adds a reading; says so when another one will follow. */
    private static List<Long> read(List<Long> readings, PrintWriter progress) {
      readings.add(liveHeapAfterFullGc());
      if (!lastReadingCounts(readings)) {
        progress.printf(Locale.ROOT, "heap after GC %.1f MiB; reading it again in %d s until %d readings in a row agree%n",
            readings.get(readings.size() - 1) / 1048576.0, SETTLE_STEP.toSeconds(), SETTLED_READINGS);
        progress.flush();
      }
      return readings;
    }

    private static boolean lastReadingCounts(List<Long> readings) {
      return settled(readings) || readings.size() == MAX_READINGS;
    }

    private static boolean settled(List<Long> readings) {
      if (readings.size() < SETTLED_READINGS) return false;
      List<Long> last = readings.subList(readings.size() - SETTLED_READINGS, readings.size());
      return Collections.max(last) <= Collections.min(last) * (1 + SETTLED_SPREAD);
    }

    /** What each heap pool held right after a full collection: the live set, without what the node's timers allocate after it. */
    private static long liveHeapAfterFullGc() {
      System.gc();
      return ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
          .mapToLong(pool -> pool.getCollectionUsage().getUsed())
          .sum();
    }

    @Override
    public void close() {
      try {
        node.close();
      } finally {
        try {
          if (createdDatabase != null) PostgresScratch.drop(postgresServer, createdDatabase);
        } catch (SQLException e) {
          System.err.println("bench: could not drop database " + createdDatabase + ": " + e.getMessage());
        }
        if (createdDir != null) Directories.deleteTree(createdDir);
      }
    }
  }

  /** Nodes that run elsewhere: the bench sees only their HTTP API. */
  record Remote(List<URI> urls, String adminToken) implements BenchTarget {
    @Override
    public String describe() {
      return "running node(s) at " + String.join(", ", urls.stream().map(URI::toString).toList());
    }

    @Override
    public OptionalLong journalRows() {
      return OptionalLong.empty();
    }

    @Override
    public OptionalLong heapAfterGc(PrintWriter progress) {
      return OptionalLong.empty();
    }

    @Override
    public void close() {}
  }
}
