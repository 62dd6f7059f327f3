package io.sagaorchestrator.infra.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md §9: the audit checks saga_summary and the participants' ledger against the
 * journal, and finds a row that shows another ending or amount, a row with no event behind it, and
 * what the read side missed.
 */
class ReadSideAuditTest {
  /** Orders of one item each, settled: one completed, one compensated (a country shipping refuses), one completed. */
  private static List<String> threeSettledOrders(Orders orders, String customer, String sku) {
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    List<String> placed = new ArrayList<>();
    for (String country : List.of("NL", "XX", "NL")) {
      String orderId = Orders.uniqueId("o");
      orders.place(orderId, customer, sku, 1, 100, country);
      orders.awaitSettled(orderId);
      placed.add(orderId);
    }
    return placed;
  }

  private static final Duration SETTLED = Duration.ofSeconds(30);

  @Test
  void theAuditFindsWhereTheReadSideDisagreesWithTheJournal() throws Exception {
    try (DataDir dataDir = new DataDir("read-side-audit");
        SagaNode node = SagaNode.start(TestConfig.node(dataDir.path(), "saga.read-side.audit-allowed-lag = 2s"))) {
      Config config = TestConfig.node(dataDir.path());
      JournalConfig journal = JournalConfig.from(config);
      String readSide = journal.readSideUrl(config);
      NodeClient api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
      Orders orders = new Orders(api);
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      List<String> placed = threeSettledOrders(orders, customer, sku);
      Eventually.within(SETTLED, () -> {
        JsonNode audit = audit(api);
        assertTrue(audit.get("ok").asBoolean(), audit.toString());
        assertEquals(3, audit.get("readSide").get("agreeing").asInt(), audit.toString());
      });

      execute(journal, readSide, "UPDATE saga_summary SET status = 'COMPLETED' WHERE saga_id = '" + placed.get(1) + "'");
      execute(journal, readSide, "DELETE FROM saga_summary WHERE saga_id = '" + placed.get(2) + "'");
      execute(journal, readSide, "INSERT INTO saga_summary (saga_id, definition, version, status, attempts, started_at, updated_at, state) "
          + "SELECT 'ghost-1', definition, version, status, attempts, started_at, updated_at, state FROM saga_summary "
          + "WHERE saga_id = '" + placed.get(0) + "'");

      Eventually.within(SETTLED, () -> {
        JsonNode audit = audit(api);
        assertFalse(audit.get("ok").asBoolean());
        List<String> violations = new ArrayList<>();
        audit.get("violations").forEach(v -> violations.add(v.asText()));
        assertTrue(violations.contains("read side: saga " + placed.get(1) + " shown COMPLETED but its events say COMPENSATED"),
            violations.toString());
        assertTrue(violations.contains("read side: saga ghost-1 has a row but no events in the journal"), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.startsWith("read side: saga " + placed.get(2) + " shown nowhere but its events say "
            + "COMPLETED since ")), violations.toString());
        assertEquals(1, audit.get("readSide").get("missed").asInt(), audit.toString());
      });
    }
  }

  @Test
  void theAuditFindsWhereTheParticipantsLedgerDisagreesWithTheirEvents() throws Exception {
    try (DataDir dataDir = new DataDir("read-side-ledger-audit");
        SagaNode node = SagaNode.start(TestConfig.node(dataDir.path(), "saga.read-side.audit-allowed-lag = 2s"))) {
      Config config = TestConfig.node(dataDir.path());
      JournalConfig journal = JournalConfig.from(config);
      String readSide = journal.readSideUrl(config);
      NodeClient api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
      Orders orders = new Orders(api);
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      List<String> placed = threeSettledOrders(orders, customer, sku);
      // Account: the deposit, three charges and the refund of the order shipping refused; the SKU likewise.
      Eventually.within(SETTLED, () -> {
        JsonNode audit = audit(api);
        assertTrue(audit.get("ok").asBoolean(), audit.toString());
        assertEquals(10, audit.get("readSideLedger").get("agreeing").asInt(), audit.toString());
        assertEquals(0, audit.get("readSideLedger").get("behind").asInt(), audit.toString());
      });

      String account = "participant = 'ACCOUNT' AND entity_id = '" + customer + "'";
      execute(journal, readSide, "UPDATE participant_ledger SET amount = 7 WHERE " + account
          + " AND kind = 'CHARGED' AND order_id = '" + placed.get(0) + "'");
      execute(journal, readSide, "DELETE FROM participant_ledger WHERE " + account
          + " AND kind = 'CHARGED' AND order_id = '" + placed.get(1) + "'");
      execute(journal, readSide, "INSERT INTO participant_ledger (participant, entity_id, seq_nr, kind, order_id, amount, detail, at) "
          + "SELECT participant, entity_id, 9999, kind, 'ghost-1', amount, detail, at FROM participant_ledger WHERE " + account
          + " AND kind = 'CHARGED' AND order_id = '" + placed.get(2) + "'");
      execute(journal, readSide, "UPDATE participant_holding SET amount = 7 WHERE participant = 'INVENTORY' AND entity_id = '" + sku
          + "' AND order_id = '" + placed.get(0) + "'");

      Eventually.within(SETTLED, () -> {
        JsonNode audit = audit(api);
        assertFalse(audit.get("ok").asBoolean());
        List<String> violations = new ArrayList<>();
        audit.get("violations").forEach(v -> violations.add(v.asText()));
        String accountLedger = "read side: ledger ACCOUNT|" + customer + " entry ";
        assertTrue(violations.stream().anyMatch(v -> v.startsWith(accountLedger) && v.contains("(CHARGED) shows Entry[kind=CHARGED, orderId="
            + placed.get(0) + ", amount=7] but its event gives Entry[kind=CHARGED, orderId=" + placed.get(0) + ", amount=100]")),
            violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.startsWith(accountLedger) && v.endsWith("(CHARGED) is missing though later entries are shown")),
            violations.toString());
        assertTrue(violations.contains(accountLedger + "9999 has no event in the journal"), violations.toString());
        assertTrue(violations.contains("read side: ledger INVENTORY|" + sku + " shows order " + placed.get(0)
            + " holding HELD 7 but its entries give HELD 1"), violations.toString());
        JsonNode ledger = audit.get("readSideLedger");
        assertEquals(List.of(8, 1, 1), List.of(ledger.get("agreeing").asInt(), ledger.get("missed").asInt(), ledger.get("unknown").asInt()),
            audit.toString());
      });
    }
  }

  private static JsonNode audit(NodeClient api) {
    NodeClient.Response audit = api.adminGet("/admin/audit");
    assertEquals(200, audit.status(), audit.body());
    return audit.json();
  }

  private static void execute(JournalConfig journal, String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, journal.user(), journal.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      assertEquals(1, statement.executeUpdate(), sql);
    }
  }
}
