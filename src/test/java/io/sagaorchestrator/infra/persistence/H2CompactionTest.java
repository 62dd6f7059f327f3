package io.sagaorchestrator.infra.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2CompactionTest {
  private static final int COMMITS = 10000;
  private static final Duration TIMER_OFF = Duration.ofHours(1);
  private static final H2Compaction.Settings SETTINGS = new H2Compaction.Settings(TIMER_OFF, 80, 8 << 20, 80, 8 << 20);

  @TempDir
  Path dir;

  /**
   * Single-row commits at scattered keys, like the journal's primary key under many sagas: each
   * commit's chunk keeps a few live index pages. Compacted every 100 commits, the file must end
   * less than half the same workload's file without compaction.
   */
  @Test
  void compactionKeepsTheFileFromGrowingWithEveryCommit() throws Exception {
    long plain = fileSizeAfterWorkload("plain", false);
    long compacted = fileSizeAfterWorkload("compacted", true);
    assertTrue(compacted * 2 < plain, "compacted file " + compacted + " bytes, without compaction " + plain);
  }

  /**
   * Once the writes stop, no commit stores what a round moved: the round must store it itself,
   * or the moved pages stay on the heap for as long as the node is idle.
   */
  @Test
  void aRoundOnAnIdleDatabaseStoresThePagesItMoved() throws Exception {
    var journal = journal("idle");
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
         H2Compaction compaction = H2Compaction.start(journal, SETTINGS)) {
      insertScattered(connection, null);
      assertTrue(compaction.compactOnce(), "the workload leaves chunks below the target fill rate");
      assertFalse(compaction.caughtUp(), "a round that moved pages has not caught up");
      assertFalse(H2Compaction.storeOf(connection).hasUnsavedChanges(), "the moved pages are still only in memory");
    }
  }

  /**
   * Rounds with no commit between them find the journal idle and compact to the idle target, past
   * the one that bounds the rounds under load; with the same settings for both they stop there.
   */
  @Test
  void idleRoundsCompactPastTheTargetUnderLoad() throws Exception {
    int loadOnly = chunksFillRateAfterRounds("load-only", new H2Compaction.Settings(TIMER_OFF, 30, 64 << 10, 30, 64 << 10));
    int withIdle = chunksFillRateAfterRounds("with-idle", new H2Compaction.Settings(TIMER_OFF, 30, 64 << 10, 80, 8 << 20));
    assertTrue(withIdle >= 75 && withIdle > loadOnly + 20, "chunks " + withIdle + " % live after idle rounds, " + loadOnly + " % without");
  }

  private int chunksFillRateAfterRounds(String name, H2Compaction.Settings settings) throws Exception {
    var journal = journal(name);
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
         H2Compaction compaction = H2Compaction.start(journal, settings)) {
      insertScattered(connection, null);
      int rounds = 0;
      while (rounds < 200 && compaction.compactOnce()) rounds++;
      assertTrue(compaction.caughtUp(), name + ": rounds stopped moving pages after " + rounds + " but do not say they caught up");
      return H2Compaction.storeOf(connection).getFileStore().getChunksFillRate();
    }
  }

  private long fileSizeAfterWorkload(String name, boolean compact) throws Exception {
    var journal = journal(name);
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
         H2Compaction compaction = H2Compaction.start(journal, SETTINGS)) {
      insertScattered(connection, compact ? compaction : null);
    }
    return Files.size(dir.resolve(name + ".mv.db"));
  }

  private JournalConfig journal(String name) {
    // RETENTION_TIME=0: garbage chunks are reused at once, so the test needs no waiting.
    return new JournalConfig(JournalConfig.Kind.H2,
        "jdbc:h2:file:" + dir.resolve(name) + ";WRITE_DELAY=0;RETENTION_TIME=0", "sa", "", 1);
  }

  /** Single-row commits at scattered keys; with {@code compaction}, a compaction every 100 commits. */
  private static void insertScattered(Connection connection, H2Compaction compaction) throws Exception {
    connection.createStatement().execute("CREATE TABLE rows (pid VARCHAR(64), seq BIGINT, payload VARBINARY(400), PRIMARY KEY (pid, seq))");
    Random random = new Random(7);
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rows VALUES (?, ?, ?)")) {
      for (int i = 0; i < COMMITS; i++) {
        insert.setString(1, "Saga|o-" + random.nextInt(1_000_000));
        insert.setLong(2, i);
        insert.setBytes(3, new byte[300]);
        insert.executeUpdate();
        if (compaction != null && i % 100 == 99) {
          int rounds = 0;
          while (rounds < 20 && compaction.compactOnce()) rounds++;
        }
      }
    }
  }
}
