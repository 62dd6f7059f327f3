package io.sagaorchestrator.infra.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The read side on the embedded H2 journal (docs/design.md §9): GET /sagas over saga_summary,
 * ended sagas and orders answered from it, and the participants' ledger kept after the entities
 * forget their records.
 */
class ReadSideTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PROJECTED = Duration.ofSeconds(20);
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;
  private static JournalConfig journal;
  private static String readSideUrl;

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("read-side");
    var config = TestConfig.node(dataDir.path());
    journal = JournalConfig.from(config);
    readSideUrl = journal.readSideUrl(config);
    node = SagaNode.start(config);
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void listsSagasNewestFirstFilteredAndInPagesThatNewSagasDoNotShift() throws Exception {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 1_000_000);
    orders.restock(sku, 1_000);
    String correlation = "corr-" + UUID.randomUUID();
    Instant since = Instant.now();
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String orderId = Orders.uniqueId("o");
      String country = i % 3 == 2 ? "XX" : "NL";
      assertEquals(202, api.post("/orders", Orders.orderJson(orderId, customer, sku, 1, 100, country),
          "X-Correlation-Id", correlation).status());
      placed.add(orderId);
      orders.awaitSettled(orderId);
    }
    String mine = "since=" + since + "&correlationId=" + correlation;
    Eventually.within(PROJECTED, () -> assertEquals(7, api.get("/sagas?" + mine).json().get("sagas").size()));

    JsonNode all = api.get("/sagas?" + mine).json().get("sagas");
    List<String> newestFirst = new ArrayList<>(placed);
    Collections.reverse(newestFirst);
    assertEquals(newestFirst, ids(all));
    assertNull(api.get("/sagas?" + mine).json().get("next"));
    JsonNode compensated = api.get("/sagas?" + mine + "&status=COMPENSATED&definition=order").json().get("sagas");
    assertEquals(List.of(placed.get(5), placed.get(2)), ids(compensated));
    assertEquals("shipping rejected: country XX is not served", compensated.get(0).get("reason").asText());
    NodeClient.Response trips = api.get("/sagas?" + mine + "&definition=trip");
    assertEquals(200, trips.status(), trips.body());
    assertEquals(0, trips.json().get("sagas").size());
    assertEquals(0, api.get("/sagas?correlationId=" + correlation + "&until=" + since).json().get("sagas").size());

    JsonNode first = api.get("/sagas?" + mine + "&limit=3").json();
    assertEquals(newestFirst.subList(0, 3), ids(first.get("sagas")));
    String newer = Orders.uniqueId("o");
    assertEquals(202, api.post("/orders", Orders.orderJson(newer, customer, sku, 1, 100, "NL"), "X-Correlation-Id", correlation).status());
    orders.awaitSettled(newer);
    Eventually.within(PROJECTED, () -> assertEquals(8, api.get("/sagas?" + mine).json().get("sagas").size()));
    List<String> paged = new ArrayList<>(ids(first.get("sagas")));
    String cursor = first.get("next").asText();
    while (cursor != null) {
      JsonNode page = api.get("/sagas?" + mine + "&limit=3&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)).json();
      paged.addAll(ids(page.get("sagas")));
      cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
    }
    assertEquals(newestFirst, paged, "the pages after the first neither repeat nor skip a saga when a newer one starts");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "status=BLOCKED, status", "status=done, status", "limit=0, limit", "limit=100000, limit", "limit=ten, limit",
      "since=yesterday, since", "until=2026-13-01T00:00:00Z, until", "cursor=not-a-cursor, cursor", "colour=red, colour",
      "since=2026-12-07T10:00:00Z&until=2026-12-07T09:00:00Z, until", "definition=, definition", "stuck=maybe, stuck"})
  void rejectsABadQueryParameterWith400NamingIt(String query, String parameter) {
    NodeClient.Response response = api.get("/sagas?" + query);
    assertEquals(400, response.status(), response.body());
    assertEquals(List.of(parameter), JSON.convertValue(response.json().get("details"), List.class));
  }

  @Test
  void anEndedSagaAndItsOrderAreAnsweredFromTheReadSide() throws Exception {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "XX");
    orders.awaitSettled(orderId);
    Eventually.within(PROJECTED, () -> assertEquals("COMPENSATED",
        api.get("/sagas?correlationId=" + api.get("/orders/" + orderId).text("correlationId")).json().get("sagas").get(0).get("status").asText()));

    try (Connection connection = DriverManager.getConnection(readSideUrl, journal.user(), journal.password())) {
      // The order's events are another entity's, folded by the projection of its own slice.
      Eventually.within(PROJECTED, () -> {
        try (PreparedStatement placed = connection.prepareStatement("SELECT COUNT(*) FROM order_placed WHERE order_id = ?")) {
          placed.setString(1, orderId);
          try (ResultSet rs = placed.executeQuery()) {
            assertTrue(rs.next() && rs.getLong(1) == 1, "the order as placed is in the read side");
          }
        }
      });
      ObjectNode state;
      try (PreparedStatement select = connection.prepareStatement("SELECT state FROM saga_summary WHERE saga_id = ?")) {
        select.setString(1, orderId);
        try (ResultSet rs = select.executeQuery()) {
          assertTrue(rs.next());
          state = (ObjectNode) JSON.readTree(rs.getString(1));
        }
      }
      state.put("reason", "as the read side has it");
      try (PreparedStatement update = connection.prepareStatement("UPDATE saga_summary SET state = ? WHERE saga_id = ?")) {
        update.setString(1, JSON.writeValueAsString(state));
        update.setString(2, orderId);
        assertEquals(1, update.executeUpdate());
      }
    }
    assertEquals("as the read side has it", api.get("/sagas/" + orderId).text("reason"));
    NodeClient.Response order = api.get("/orders/" + orderId);
    assertEquals("as the read side has it", order.text("reason"));
    assertEquals("CANCELLED", order.text("status"));
    assertEquals(customer, order.text("customerId"));
  }

  @Test
  void theLedgerKeepsWhatTheParticipantsForget() throws Exception {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    String shipped = Orders.uniqueId("o");
    String refused = Orders.uniqueId("o");
    orders.place(shipped, customer, sku, 2, 1_250, "NL");
    orders.awaitSettled(shipped);
    orders.place(refused, customer, sku, 1, 1_250, "XX");
    orders.awaitSettled(refused);
    // The account forgets its records of both orders a second after they ended (participants.forget-after).
    Eventually.within(PROJECTED, () -> assertTrue(forgottenRecords("PaymentAccount|" + customer) > 0));

    Eventually.within(PROJECTED, () -> {
      JsonNode account = api.adminGet("/admin/accounts/" + customer).json();
      assertEquals(7_500, account.get("availableCents").asLong());
      assertEquals(JSON.readTree("{\"" + shipped + "\": 2500}"), account.get("charges"));
      assertEquals(JSON.readTree("{\"" + shipped + "\": 2}"), api.adminGet("/admin/inventory/" + sku).json().get("reservations"));
    });
    List<String> kinds = new ArrayList<>();
    Set<String> seqs = new HashSet<>();
    String cursor = "";
    do {
      JsonNode page = api.adminGet("/admin/accounts/" + customer + "/ledger?limit=2" + cursor).json();
      page.get("entries").forEach(entry -> {
        kinds.add(entry.get("kind").asText() + (entry.hasNonNull("orderId") ? " " + entry.get("orderId").asText() : ""));
        assertTrue(seqs.add(entry.get("seq").asText()));
      });
      cursor = page.hasNonNull("next") ? "&cursor=" + page.get("next").asText() : null;
    } while (cursor != null);
    assertEquals(List.of("DEPOSITED", "CHARGED " + shipped, "CHARGED " + refused, "REFUNDED " + refused), kinds);
    JsonNode stock = api.adminGet("/admin/inventory/" + sku + "/ledger").json().get("entries");
    assertEquals(List.of("RESTOCKED", "RESERVED", "RESERVED", "RELEASED"), stock.findValuesAsText("kind"));
    assertEquals(400, api.adminGet("/admin/accounts/" + customer + "/ledger?cursor=bm90LWEtbnVtYmVy").status());
    assertEquals(400, api.adminGet("/admin/inventory/" + sku + "?limit=0").status());
  }

  private static long forgottenRecords(String persistenceId) throws Exception {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM \"event_journal\" "
            + "WHERE \"persistence_id\" = ? AND \"event_ser_manifest\" LIKE '%RecordsForgotten%'")) {
      select.setString(1, persistenceId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<String> ids(JsonNode sagas) {
    List<String> ids = new ArrayList<>();
    sagas.forEach(saga -> ids.add(saga.get("sagaId").asText()));
    return ids;
  }
}
