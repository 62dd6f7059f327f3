package io.sagaorchestrator.infra.readside;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code saga.read-side}: whether the node keeps the read side, in how many slices (fixed for the
 * life of the read side's tables), how the projections read the journal and group their writes,
 * how often the saga gauges are read, and how far behind its saga the audit lets a row be.
 */
public record ReadSideSettings(boolean enabled, int slices, Duration pollInterval, int batch, Duration gapTimeout,
    int groupSize, Duration groupAfter, int maxConnections, int maxPageSize, Duration gaugeInterval, Duration auditAllowedLag) {

  public static ReadSideSettings from(Config config) {
    Config c = config.getConfig("saga.read-side");
    return new ReadSideSettings(c.getBoolean("enabled"), c.getInt("slices"), c.getDuration("poll-interval"), c.getInt("batch"),
        c.getDuration("gap-timeout"), c.getInt("group-size"), c.getDuration("group-after"), c.getInt("max-connections"),
        c.getInt("max-page-size"), c.getDuration("gauge-interval"), c.getDuration("audit-allowed-lag"));
  }

  /** No read side: for a process that installs modules without running a node. */
  public static ReadSideSettings off() {
    return new ReadSideSettings(false, 0, Duration.ZERO, 1, Duration.ZERO, 1, Duration.ZERO, 1, 1, Duration.ZERO, Duration.ZERO);
  }
}
