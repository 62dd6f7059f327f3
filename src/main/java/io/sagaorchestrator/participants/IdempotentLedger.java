package io.sagaorchestrator.participants;

import akka.persistence.typed.javadsl.RetentionCriteria;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The record-keeping of a participant that holds a quantity for sagas (a customer's credit, a
 * SKU's stock): every action and its compensation is recorded under the saga step's idempotency
 * key, answered once and repeated with its first outcome; an undo that overtakes its action
 * leaves a tombstone that refuses the late action; an action past its deadline is refused
 * unapplied. The entity keeps its own record type and events; this holds the rules.
 */
public final class IdempotentLedger {
  /**
   * A snapshot every 1,000 events, two kept: a busy account or SKU takes many events a second, so
   * snapshotting often would cost a transaction per entity every few seconds, while recovery
   * replays at most 1,000 small events.
   */
  public static final RetentionCriteria SNAPSHOTS = RetentionCriteria.snapshotEvery(1000, 2);

  /** Where an action recorded under one key stands. */
  public enum Standing { HELD, REJECTED, UNDONE, TOMBSTONE }

  /** One record under an idempotency key, as the entity stores it. */
  public interface Entry {
    String orderId();

    Standing standing();

    long amount();

    String reason();
  }

  /** What an undo (refund, release) does, given the record under its key. */
  public enum Undo {
    /** Nothing was applied under the key yet: remember the undo, so the action is refused if it comes late. */
    TOMBSTONE,
    /** Give back what the action holds. */
    GIVE_BACK,
    /** Rejected, undone or tombstoned before: nothing to give back. */
    NOTHING
  }

  private IdempotentLedger() {}

  /**
   * The answer to an action ({@code what}: "charge", "reservation") that must not be applied: a
   * repeat of the first outcome, or a refusal for arriving after its deadline. Empty: apply it.
   */
  public static Optional<StepOutcome> answerWithoutApplying(Entry earlier, Instant notAfter, String what) {
    if (earlier != null) {
      return Optional.of(switch (earlier.standing()) {
        case HELD -> StepOutcome.succeeded();
        case REJECTED -> new StepOutcome.Rejected(earlier.reason());
        case UNDONE, TOMBSTONE -> new StepOutcome.Rejected(what + " already compensated");
      });
    }
    if (notAfter != null && Instant.now().isAfter(notAfter)) {
      return Optional.of(new StepOutcome.Failed(what + " arrived after its deadline; not applied"));
    }
    return Optional.empty();
  }

  public static Undo undo(Entry earlier) {
    if (earlier == null) return Undo.TOMBSTONE;
    return earlier.standing() == Standing.HELD ? Undo.GIVE_BACK : Undo.NOTHING;
  }

  /** What each order holds: the sum of its HELD records. */
  public static Map<String, Long> heldByOrder(Collection<? extends Entry> entries) {
    Map<String, Long> held = new TreeMap<>();
    entries.stream().filter(e -> e.standing() == Standing.HELD).forEach(e -> held.merge(e.orderId(), e.amount(), Long::sum));
    return held;
  }

  /**
   * Records as a persistent map: recording one shares the others instead of copying every record
   * the entity holds on each event. {@code records} itself when it already is one.
   */
  public static <R> PMap<String, R> persistent(Map<String, R> records) {
    return records instanceof PMap<String, R> persistent ? persistent : HashTreePMap.from(records);
  }

  public static <R> PMap<String, R> with(Map<String, R> records, String key, R record) {
    return persistent(records).plus(key, record);
  }

  public static <R> PMap<String, R> without(Map<String, R> records, List<String> keys) {
    return persistent(records).minusAll(keys);
  }
}
