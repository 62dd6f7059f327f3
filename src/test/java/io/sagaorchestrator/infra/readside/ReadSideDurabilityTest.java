package io.sagaorchestrator.infra.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.PostgresDatabase;
import io.sagaorchestrator.testsupport.TestConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md §9 across a restart, on both journals: what the projections folded before the
 * node stopped is neither lost nor folded twice, and they go on from their stored offsets.
 */
class ReadSideDurabilityTest {
  private static final Duration PROJECTED = Duration.ofSeconds(30);

  @Test
  void theReadSideOnH2GoesOnFromItsOffsetsAfterARestart() throws Exception {
    try (DataDir dataDir = new DataDir("read-side-restart")) {
      foldsEveryEventOnceAcrossARestart(TestConfig.node(dataDir.path()));
    }
  }

  @Test
  void theReadSideOnPostgresGoesOnFromItsOffsetsAfterARestart() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.createOrSkip(); DataDir dataDir = new DataDir("read-side-restart-pg")) {
      foldsEveryEventOnceAcrossARestart(TestConfig.node(dataDir.path(), """
          saga.journal = postgres
          saga.db.url = "%s"
          saga.db.user = "%s"
          saga.db.password = "%s"
          """.formatted(database.url(), PostgresDatabase.USER, PostgresDatabase.PASSWORD)));
    }
  }

  private static void foldsEveryEventOnceAcrossARestart(Config config) throws Exception {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    String correlation = "corr-" + UUID.randomUUID();
    Map<String, String> statuses = new HashMap<>();
    try (SagaNode node = SagaNode.start(config)) {
      NodeClient api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
      Orders orders = new Orders(api);
      orders.deposit(customer, 1_000_000);
      orders.restock(sku, 1_000);
      placeAndSettle(api, orders, customer, sku, correlation, 12, statuses);
      Eventually.within(PROJECTED, () -> assertListed(api, correlation, statuses));
    }
    try (SagaNode node = SagaNode.start(config)) {
      NodeClient api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
      placeAndSettle(api, new Orders(api), customer, sku, correlation, 8, statuses);
      JournalConfig journal = JournalConfig.from(config);
      Eventually.within(PROJECTED, () -> {
        assertListed(api, correlation, statuses);
        assertEquals(participantEvents(journal, "PaymentAccount|" + customer), ledgerSize(api, "/admin/accounts/" + customer));
        assertEquals(participantEvents(journal, "InventoryItem|" + sku), ledgerSize(api, "/admin/inventory/" + sku));
      });
    }
  }

  /** Every third order goes to a country not served, so the ledger holds refunds and releases too. */
  private static void placeAndSettle(NodeClient api, Orders orders, String customer, String sku, String correlation, int count,
      Map<String, String> statuses) {
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String orderId = Orders.uniqueId("o");
      String country = statuses.size() % 3 == 2 ? "XX" : "NL";
      assertEquals(202, api.post("/orders", Orders.orderJson(orderId, customer, sku, 1, 100, country),
          "X-Correlation-Id", correlation).status());
      placed.add(orderId);
      statuses.put(orderId, country.equals("XX") ? "COMPENSATED" : "COMPLETED");
    }
    placed.forEach(orders::awaitSettled);
  }

  private static void assertListed(NodeClient api, String correlation, Map<String, String> statuses) {
    JsonNode sagas = api.get("/sagas?limit=500&correlationId=" + correlation).json().get("sagas");
    Map<String, String> listed = new HashMap<>();
    sagas.forEach(saga -> assertEquals(null, listed.put(saga.get("sagaId").asText(), saga.get("status").asText()),
        "listed once: " + saga));
    assertEquals(statuses, listed);
  }

  private static int ledgerSize(NodeClient api, String path) {
    NodeClient.Response ledger = api.adminGet(path + "/ledger?limit=500");
    assertEquals(200, ledger.status(), ledger.body());
    return ledger.json().get("entries").size();
  }

  /** The participant's events in the journal, less the forgetting of records, which the ledger leaves out. */
  private static int participantEvents(JournalConfig journal, String persistenceId) throws Exception {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM \"event_journal\" "
            + "WHERE \"persistence_id\" = ? AND \"event_ser_manifest\" NOT LIKE '%RecordsForgotten%'")) {
      select.setString(1, persistenceId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
