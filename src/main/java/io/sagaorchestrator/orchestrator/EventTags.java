package io.sagaorchestrator.orchestrator;

import java.util.Set;

/**
 * The tags that route an entity's events to the read side: one of {@code slices} tags per
 * persistence id, so each of the read side's projections folds a fixed share of the entities,
 * and every event of one entity reaches the same projection in order. {@link #NONE} tags
 * nothing (a node without a read side, and unit tests of entities).
 *
 * <p>Tags are stored with the events, so {@code slices} is fixed for the life of a journal.
 */
public record EventTags(int slices) {
  public static final EventTags NONE = new EventTags(0);
  public static final String PREFIX = "read-side-";

  public EventTags {
    if (slices < 0) throw new IllegalArgumentException("saga.read-side.slices must not be negative");
  }

  public Set<String> forEntity(String persistenceId) {
    if (slices == 0) return Set.of();
    return Set.of(tag(Math.floorMod(persistenceId.hashCode(), slices)));
  }

  public static String tag(int slice) {
    return PREFIX + slice;
  }
}
