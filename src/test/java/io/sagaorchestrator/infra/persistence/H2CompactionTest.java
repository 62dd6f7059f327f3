package io.sagaorchestrator.infra.persistence;

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

  private long fileSizeAfterWorkload(String name, boolean compact) throws Exception {
    // RETENTION_TIME=0: garbage chunks are reused at once, so the test needs no waiting.
    var journal = new JournalConfig(JournalConfig.Kind.H2,
        "jdbc:h2:file:" + dir.resolve(name) + ";WRITE_DELAY=0;RETENTION_TIME=0", "sa", "", 1);
    var settings = new H2Compaction.Settings(Duration.ofHours(1), 80, 8 << 20);
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
         H2Compaction compaction = H2Compaction.start(journal, settings)) {
      connection.createStatement().execute("CREATE TABLE rows (pid VARCHAR(64), seq BIGINT, payload VARBINARY(400), PRIMARY KEY (pid, seq))");
      Random random = new Random(7);
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rows VALUES (?, ?, ?)")) {
        for (int i = 0; i < COMMITS; i++) {
          insert.setString(1, "Saga|o-" + random.nextInt(1_000_000));
          insert.setLong(2, i);
          insert.setBytes(3, new byte[300]);
          insert.executeUpdate();
          if (compact && i % 100 == 99) {
            for (int round = 0; round < 20 && compaction.compactOnce(); round++) connection.createStatement().execute("CHECKPOINT");
          }
        }
      }
    }
    return Files.size(dir.resolve(name + ".mv.db"));
  }
}
