package io.sagaorchestrator.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journal's physical write limit on this machine: rows of the journal's own shape (the
 * table and indexes come from the same schema script the node uses) inserted with plain JDBC
 * into a scratch database of the same kind with the same durability settings — an H2 file with
 * {@code WRITE_DELAY=0} in a temporary directory, or a scratch PostgreSQL database on the same
 * server (a real table: PostgreSQL does not flush the WAL at commit for temporary tables, which
 * would overstate the limit).
 */
final class JournalLimit {
  static final int PAYLOAD_BYTES = 200;
  static final int BATCH_ROWS = 100;

  /** Rows per second in each mode; {@code parallelWriters} single-row writers for the last one. */
  record Result(String kind, double singleRow, double batched, double parallelSingleRow, int parallelWriters, double secondsEach) {}

  private static final String INSERT = "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", "
      + "\"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\") "
      + "VALUES (FALSE, ?, ?, ?, ?, '', 33, ?, ?)";

  private final JournalConfig scratch;
  private final Duration each;
  private final int parallelWriters;
  private final AtomicLong nextRow = new AtomicLong();
  private final byte[] payload = new byte[PAYLOAD_BYTES];

  private JournalLimit(JournalConfig scratch, Duration each, int parallelWriters) {
    this.scratch = scratch;
    this.each = each;
    this.parallelWriters = parallelWriters;
    new SplittableRandom(7).nextBytes(payload);
  }

  /** Measures on a fresh H2 file (removed afterwards), with the URL options a node's journal uses (configured as for {@code node}). */
  static Result measureH2(Config node, Duration each, int parallelWriters) throws Exception {
    Path dir = Files.createTempDirectory("saga-bench-limit-");
    try {
      String url = JournalConfig.from(ConfigFactory.parseMap(Map.of("saga.journal", "h2", "saga.data-dir", dir.toString()))
          .withFallback(node)).url();
      return new JournalLimit(new JournalConfig(JournalConfig.Kind.H2, url, "sa", "", parallelWriters), each, parallelWriters)
          .measure("h2");
    } finally {
      Directories.deleteTree(dir);
    }
  }

  /** Measures in a scratch database created next to {@code database} (same server, same settings), dropped afterwards. */
  static Result measurePostgres(JournalConfig database, Duration each, int parallelWriters) throws Exception {
    String name = "saga_bench_limit_" + Long.toHexString(System.nanoTime());
    PostgresScratch.create(database, name);
    try {
      JournalConfig scratch = new JournalConfig(JournalConfig.Kind.POSTGRES, PostgresScratch.urlFor(database.url(), name),
          database.user(), database.password(), parallelWriters);
      return new JournalLimit(scratch, each, parallelWriters).measure("postgres");
    } finally {
      PostgresScratch.drop(database, name);
    }
  }

  private Result measure(String kind) throws Exception {
    JournalSchema.createIfMissing(scratch);
    double single = singleWriter(1);
    double batched = singleWriter(BATCH_ROWS);
    double parallel = parallel();
    return new Result(kind, single, batched, parallel, parallelWriters, each.toMillis() / 1000.0);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(scratch.url(), scratch.user(), scratch.password());
  }

  /** One writer for {@link #each}: every row its own transaction, or {@code rowsPerCommit} rows per transaction. */
  private double singleWriter(int rowsPerCommit) throws SQLException {
    try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
      connection.setAutoCommit(rowsPerCommit == 1);
      long rows = 0;
      long start = System.nanoTime();
      long end = start + each.toNanos();
      while (System.nanoTime() < end) {
        if (rowsPerCommit == 1) {
          bind(insert);
          insert.executeUpdate();
        } else {
          for (int i = 0; i < rowsPerCommit; i++) {
            bind(insert);
            insert.addBatch();
          }
          insert.executeBatch();
          connection.commit();
        }
        rows += rowsPerCommit;
      }
      return rows / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Several single-row writers at once: what a database that commits in parallel (or groups commits) can take. */
  private double parallel() throws Exception {
    AtomicLong rows = new AtomicLong();
    List<Thread> writers = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + each.toNanos();
    for (int w = 0; w < parallelWriters; w++) {
      Thread writer = new Thread(() -> {
        try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
          connection.setAutoCommit(true);
          while (System.nanoTime() < end) {
            bind(insert);
            insert.executeUpdate();
            rows.incrementAndGet();
          }
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "journal-limit-" + w);
      writer.start();
      writers.add(writer);
    }
    for (Thread writer : writers) writer.join();
    if (!failures.isEmpty()) throw failures.get(0);
    return rows.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** A row like the journal's: a persistence id of a few hundred entities, the next sequence number, a 200-byte payload. */
  private void bind(PreparedStatement insert) throws SQLException {
    long n = nextRow.getAndIncrement();
    insert.setString(1, "Limit|e-" + (n % 1024));
    insert.setLong(2, n / 1024 + 1);
    insert.setString(3, "bench-writer");
    insert.setLong(4, System.currentTimeMillis());
    insert.setString(5, "io.sagaorchestrator.bench.LimitEvent");
    insert.setBytes(6, payload);
  }
}
