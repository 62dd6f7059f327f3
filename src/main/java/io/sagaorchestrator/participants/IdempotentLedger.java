package io.sagaorchestrator.participants;

import akka.persistence.typed.javadsl.RetentionCriteria;
import io.sagaorchestrator.CborSerializable;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The state of a participant that holds a quantity for sagas (a customer's credit, a SKU's
 * stock): what was added, what is available, and every action and its compensation recorded
 * under the saga step's idempotency key. The rules: an action is answered once and repeated with
 * its first outcome; an undo that overtakes its action leaves a tombstone that refuses the late
 * action; an action past its deadline is refused unapplied. Records of ended sagas are forgotten
 * ({@link RecordRetention}), so the ledger holds the sagas in flight, not every order ever served.
 */
public record IdempotentLedger(long added, long available, Map<String, Hold> byKey) implements CborSerializable {
  /**
   * A snapshot every 1,000 events, two kept: a busy account or SKU takes many events a second, so
   * snapshotting often would cost a transaction per entity every few seconds, while recovery
   * replays at most 1,000 small events.
   */
  public static final RetentionCriteria SNAPSHOTS = RetentionCriteria.snapshotEvery(1000, 2);

  public static final IdempotentLedger EMPTY = new IdempotentLedger(0, 0, Map.of());

  /** Where an action recorded under one key stands. */
  public enum Standing { HELD, REJECTED, UNDONE, TOMBSTONE }

  /** One record: the order it serves, where it stands, the amount held or given back, a rejection's reason. */
  public record Hold(String orderId, Standing standing, long amount, String reason) implements CborSerializable {}

  /** What an undo (refund, release) does, given the record under its key. */
  public enum Undo {
    /** Nothing was applied under the key yet: remember the undo, so the action is refused if it comes late. */
    TOMBSTONE,
    /** Give back what the action holds ({@link #heldUnder}). */
    GIVE_BACK,
    /** Rejected, undone or tombstoned before: nothing to give back. */
    NOTHING
  }

  public IdempotentLedger {
    // A persistent map: recording one record shares the others instead of copying them all per event.
    byKey = byKey instanceof PMap<String, Hold> persistent ? persistent : HashTreePMap.from(byKey);
  }

  private PMap<String, Hold> records() {
    return (PMap<String, Hold>) byKey;
  }

  // ---- decisions --------------------------------------------------------------------------

  /**
   * The answer to an action ({@code what}: "charge", "reservation") that must not be applied: a
   * repeat of the first outcome, or a refusal for arriving after its deadline. Empty: apply it.
   */
  public Optional<StepOutcome> answerWithoutApplying(String key, Instant notAfter, String what) {
    Hold earlier = byKey.get(key);
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

  public Undo undo(String key) {
    Hold earlier = byKey.get(key);
    if (earlier == null) return Undo.TOMBSTONE;
    return earlier.standing() == Standing.HELD ? Undo.GIVE_BACK : Undo.NOTHING;
  }

  /** What the action under {@code key} holds (0 when it holds nothing). */
  public long heldUnder(String key) {
    Hold record = byKey.get(key);
    return record != null && record.standing() == Standing.HELD ? record.amount() : 0;
  }

  /** What each order holds: the sum of its HELD records. */
  public Map<String, Long> heldByOrder() {
    Map<String, Long> held = new TreeMap<>();
    byKey.values().stream()
        .filter(record -> record.standing() == Standing.HELD)
        .forEach(record -> held.merge(record.orderId(), record.amount(), Long::sum));
    return held;
  }

  // ---- what the events do -----------------------------------------------------------------

  public IdempotentLedger add(long amount) {
    return new IdempotentLedger(added + amount, available + amount, byKey);
  }

  public IdempotentLedger hold(String key, String orderId, long amount) {
    return new IdempotentLedger(added, available - amount, records().plus(key, new Hold(orderId, Standing.HELD, amount, null)));
  }

  public IdempotentLedger reject(String key, String orderId, String reason) {
    return new IdempotentLedger(added, available, records().plus(key, new Hold(orderId, Standing.REJECTED, 0, reason)));
  }

  public IdempotentLedger giveBack(String key, String orderId, long amount) {
    return new IdempotentLedger(added, available + amount, records().plus(key, new Hold(orderId, Standing.UNDONE, amount, null)));
  }

  public IdempotentLedger tombstone(String key, String orderId) {
    return new IdempotentLedger(added, available, records().plus(key, new Hold(orderId, Standing.TOMBSTONE, 0, null)));
  }

  public IdempotentLedger forget(List<String> keys) {
    return new IdempotentLedger(added, available, records().minusAll(keys));
  }
}
