package io.sagaorchestrator.infra.readside;

import com.typesafe.config.Config;
import io.sagaorchestrator.orchestrator.EventTags;
import java.time.Duration;

/**
 * {@code saga.read-side}: whether the node keeps the read side, in how many slices (tags, fixed
 * for the life of a journal), and how the projections group their writes.
 */
public record ReadSideSettings(boolean enabled, int slices, int groupSize, Duration groupAfter, int maxConnections,
    int maxPageSize) {

  public static ReadSideSettings from(Config config) {
    Config c = config.getConfig("saga.read-side");
    return new ReadSideSettings(c.getBoolean("enabled"), c.getInt("slices"), c.getInt("group-size"),
        c.getDuration("group-after"), c.getInt("max-connections"), c.getInt("max-page-size"));
  }

  /** No read side: for a process that installs modules without running a node. */
  public static ReadSideSettings off() {
    return new ReadSideSettings(false, 0, 1, Duration.ZERO, 1, 1);
  }

  /** The tags entities write: none with the read side off, so a node without it writes no tag rows. */
  public EventTags tags() {
    return enabled ? new EventTags(slices) : EventTags.NONE;
  }
}
