package io.sagaorchestrator.infra.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Which database holds the journal, and how to reach it: derived from {@code saga.journal}. */
public record JournalConfig(Kind kind, String url, String user, String password, int maxConnections) {

  public enum Kind {
    H2("slick.jdbc.H2Profile$", "org.h2.Driver", "h2-dialect"),
    POSTGRES("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "postgres-dialect");

    final String slickProfile;
    final String driver;
    final String projectionDialect;

    Kind(String slickProfile, String driver, String projectionDialect) {
      this.slickProfile = slickProfile;
      this.driver = driver;
      this.projectionDialect = projectionDialect;
    }
  }

  public static JournalConfig from(Config config) {
    String journal = config.getString("saga.journal").trim().toLowerCase(Locale.ROOT);
    int maxConnections = config.getInt("saga.db.max-connections");
    return switch (journal) {
      case "h2" -> new JournalConfig(Kind.H2,
          h2Url(dataDir(config).resolve("journal")) + ";CACHE_SIZE=" + config.getBytes("saga.h2-page-cache") / 1024,
          "sa", "", maxConnections);
      case "postgres", "postgresql" -> new JournalConfig(Kind.POSTGRES,
          config.getString("saga.db.url"), config.getString("saga.db.user"), config.getString("saga.db.password"),
          maxConnections);
      default -> throw new IllegalArgumentException("saga.journal must be h2 or postgres, not '" + journal + "'");
    };
  }

  /**
   * WRITE_DELAY=0: every commit reaches the OS before the journal acknowledges it, so an
   * acknowledged event survives a SIGKILL (H2 otherwise buffers commits for up to ~1 s).
   * MAX_LENGTH_INPLACE_LOB: payloads up to 4 KiB stay in the row; above H2's default of 256 bytes
   * (a saga's first event is ~350) each one is written to three extra LOB maps per commit.
   * RETENTION_TIME: the space of a chunk that became garbage is reused after 5 s instead of H2's
   * 45 s, so the file does not carry many seconds of dead commits under load. Every commit has
   * reached the OS before it is acknowledged, so a crash or kill of the JVM is safe at any
   * retention; the longer default only guards against power loss before the OS flushes, which
   * this journal does not promise to survive (PostgreSQL does). See {@link H2Compaction}.
   * MAX_COMPACT_TIME=0: no compaction when the database closes: the node compacts while it runs,
   * so a close-time pass gains little, and older H2 versions lost or corrupted rows in it
   * (h2database issues 4247 and 4123).
   */
  public static String h2Url(Path file) {
    return "jdbc:h2:file:" + file
        + ";WRITE_DELAY=0;MAX_LENGTH_INPLACE_LOB=4096;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE";
  }

  /** The journal table as the JDBC plugin names it (quoted: the H2 script creates lower-case names). */
  public static String journalTable(Config config) {
    String path = "jdbc-journal.tables.event_journal.";
    String name = config.hasPath(path + "tableName") ? config.getString(path + "tableName") : "event_journal";
    String schema = config.hasPath(path + "schemaName") ? config.getString(path + "schemaName") : "";
    return (schema.isEmpty() ? "" : '"' + schema + "\".") + '"' + name + '"';
  }

  /**
   * Where the read side keeps its tables. On PostgreSQL: the journal's database. With H2: a file
   * of its own beside the journal's (docs/design.md §9), so its writes never take the journal's
   * store lock nor grow the journal's commits, and committed without waiting for the OS
   * (WRITE_DELAY): its rows and offsets commit together, and what a crash loses of them is
   * folded again from the journal.
   */
  public String readSideUrl(Config config) {
    if (kind != Kind.H2) return url;
    return "jdbc:h2:file:" + dataDir(config).resolve("read-side") + ";MAX_LENGTH_INPLACE_LOB=4096;DB_CLOSE_ON_EXIT=FALSE";
  }

  public static Path dataDir(Config config) {
    return Path.of(config.getString("saga.data-dir")).toAbsolutePath().normalize();
  }

  /** The akka-persistence-jdbc settings that point the shared database at this journal. */
  public Config asAkkaConfig() {
    String db = "akka-persistence-jdbc.shared-databases.default.";
    Config settings = ConfigFactory.parseMap(Map.of(
        db + "profile", kind.slickProfile,
        db + "db.url", url,
        db + "db.driver", kind.driver,
        db + "db.user", user,
        db + "db.password", password,
        db + "db.numThreads", maxConnections,
        db + "db.maxConnections", maxConnections,
        "akka.projection.jdbc.dialect", kind.projectionDialect));
    if (kind == Kind.H2) {
      // H2 commits one at a time: parallel batch writers only add lock contention.
      settings = settings.withValue("jdbc-journal.parallelism", ConfigValueFactory.fromAnyRef(1));
    }
    return settings;
  }
}
