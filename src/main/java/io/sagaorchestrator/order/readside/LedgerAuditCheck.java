package io.sagaorchestrator.order.readside;

import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.audit.AuditFindings;
import io.sagaorchestrator.infra.readside.ReadSideDatabase;
import io.sagaorchestrator.infra.audit.SagaAudit;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The audit's check of the read side's ledger ({@code participant_ledger},
 * {@code participant_holding}) against the participants' events in the journal (docs/design.md
 * §9). One projection folds an entity's events in order and commits them with its offset, so the
 * read side holds a prefix of each account's and SKU's entries: an entry missing below the last one
 * it holds was missed; one missing after it is behind, until the entry's order has been over for
 * {@code allowedLag}. An entry that differs from its event, or has none, is a violation; so is a
 * holding that differs from what the entries of a ledger that is not behind give.
 */
public final class LedgerAuditCheck implements AuditCheck {
  private static final String ACCOUNT = PaymentAccount.ENTITY_TYPE_KEY.name();
  private static final String ITEM = InventoryItem.ENTITY_TYPE_KEY.name();

  private final ReadSideDatabase database;
  private final Duration allowedLag;
  /** Rows written after the run began are of events the scan may not reach. */
  private final Instant runStarted = Instant.now();
  /** The entries the journal's events make, by ledger ("ACCOUNT|c-1") and sequence number. */
  private final Map<String, TreeMap<Long, Entry>> expected = new HashMap<>();
  /** What each order holds at each ledger after the last of its entries there. */
  private final Map<String, Map<String, Holding>> expectedHoldings = new HashMap<>();

  /** What the audit compares of an entry. */
  private record Entry(String kind, String orderId, long amount) {}

  /** What an order holds at a ledger. */
  private record Holding(String status, long amount) {}

  /** The read side's tables, as far as the check compares them. */
  private record Shown(Map<String, TreeMap<Long, Entry>> entries, Map<String, Map<String, Holding>> holdings) {}

  /** One per audit run, made as the run starts. */
  public LedgerAuditCheck(ReadSideDatabase database, Duration allowedLag) {
    this.database = database;
    this.allowedLag = allowedLag;
  }

  @Override
  public Set<String> entityTypes() {
    return Set.of(ACCOUNT, ITEM);
  }

  @Override
  public void accept(String entityType, String entityId, long sequenceNr, Object event, AuditFindings findings) {
    LedgerEntry.of(entityType + "|" + entityId, sequenceNr, event, Instant.EPOCH).ifPresent(entry -> {
      String ledger = entry.participant().name() + "|" + entityId;
      expected.computeIfAbsent(ledger, key -> new TreeMap<>()).put(sequenceNr, new Entry(entry.kind(), entry.orderId(), entry.amount()));
      if (entry.holding() != null) {
        expectedHoldings.computeIfAbsent(ledger, key -> new HashMap<>())
            .put(entry.orderId(), new Holding(entry.holding().name(), entry.amount()));
      }
    });
  }

  @Override
  public void finish(AuditFindings findings) {
    Shown shown;
    try {
      shown = database.query(this::read).toCompletableFuture().join();
    } catch (RuntimeException e) {
      findings.violation("read side: the participants' ledger cannot be read (" + e.getMessage() + ")");
      return;
    }
    Instant lagLimit = Instant.now().minus(allowedLag);
    long[] counts = new long[4];
    expected.forEach((ledger, entries) -> {
      TreeMap<Long, Entry> rows = shown.entries().getOrDefault(ledger, new TreeMap<>());
      long lastShown = rows.isEmpty() ? 0 : rows.lastKey();
      boolean behind = false;
      for (Map.Entry<Long, Entry> event : entries.entrySet()) {
        Entry row = rows.remove(event.getKey());
        String at = "read side: ledger " + ledger + " entry " + event.getKey() + " (" + event.getValue().kind() + ")";
        if (row != null) {
          if (row.equals(event.getValue())) counts[0]++;
          else findings.violation(at + " shows " + row + " but its event gives " + event.getValue());
        } else if (event.getKey() < lastShown || overLongAgo(findings.sagas(), event.getValue().orderId(), lagLimit)) {
          counts[2]++;
          findings.violation(at + " is missing" + (event.getKey() < lastShown ? " though later entries are shown" : ""));
        } else {
          counts[1]++;
          behind = true;
        }
      }
      rows.forEach((seq, row) -> unknown(findings, counts, ledger, seq));
      if (!behind) {
        checkHoldings(ledger, expectedHoldings.getOrDefault(ledger, Map.of()), shown.holdings().getOrDefault(ledger, Map.of()), findings);
      }
    });
    shown.entries().forEach((ledger, rows) -> {
      if (!expected.containsKey(ledger)) rows.keySet().forEach(seq -> unknown(findings, counts, ledger, seq));
    });
    Map<String, Long> section = new LinkedHashMap<>();
    section.put("agreeing", counts[0]);
    section.put("behind", counts[1]);
    section.put("missed", counts[2]);
    section.put("unknown", counts[3]);
    findings.section("readSideLedger", section);
  }

  private static void unknown(AuditFindings findings, long[] counts, String ledger, long seq) {
    counts[3]++;
    findings.violation("read side: ledger " + ledger + " entry " + seq + " has no event in the journal");
  }

  /** Whether the order an entry belongs to ended longer than the allowed lag ago (an entry of no order may always be behind). */
  private static boolean overLongAgo(SagaAudit sagas, String orderId, Instant lagLimit) {
    if (orderId == null) return false;
    SagaAudit.SagaFacts saga = sagas.find(orderId);
    return saga != null && saga.status() != null && saga.status().isEnded() && saga.lastAt() != null && saga.lastAt().isBefore(lagLimit);
  }

  private static void checkHoldings(String ledger, Map<String, Holding> due, Map<String, Holding> shown, AuditFindings findings) {
    due.forEach((orderId, holding) -> {
      Holding row = shown.get(orderId);
      if (!holding.equals(row)) {
        findings.violation("read side: ledger " + ledger + " shows order " + orderId + " holding "
            + (row == null ? "nothing" : row.status() + " " + row.amount()) + " but its entries give " + holding.status() + " " + holding.amount());
      }
    });
    shown.keySet().stream().filter(orderId -> !due.containsKey(orderId)).forEach(orderId ->
        findings.violation("read side: ledger " + ledger + " shows a holding of order " + orderId + ", which has no entry there"));
  }

  private Shown read(Connection connection) throws SQLException {
    Map<String, TreeMap<Long, Entry>> entries = new HashMap<>();
    forEachRowBeforeTheRun(connection,
        "SELECT participant, entity_id, seq_nr, kind, order_id, amount FROM participant_ledger WHERE at < ?",
        rs -> entries.computeIfAbsent(rs.getString(1) + "|" + rs.getString(2), key -> new TreeMap<>())
            .put(rs.getLong(3), new Entry(rs.getString(4), rs.getString(5), rs.getLong(6))));
    Map<String, Map<String, Holding>> holdings = new HashMap<>();
    forEachRowBeforeTheRun(connection,
        "SELECT participant, entity_id, order_id, amount, status FROM participant_holding WHERE updated_at < ?",
        rs -> holdings.computeIfAbsent(rs.getString(1) + "|" + rs.getString(2), key -> new HashMap<>())
            .put(rs.getString(3), new Holding(rs.getString(5), rs.getLong(4))));
    return new Shown(entries, holdings);
  }

  private interface RowReader {
    void read(ResultSet row) throws SQLException;
  }

  /** {@code select}'s rows written before the run began (its one parameter), streamed. */
  private void forEachRowBeforeTheRun(Connection connection, String select, RowReader reader) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(select)) {
      statement.setTimestamp(1, Timestamp.from(runStarted));
      statement.setFetchSize(5_000);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) reader.read(rs);
      }
    }
  }
}
