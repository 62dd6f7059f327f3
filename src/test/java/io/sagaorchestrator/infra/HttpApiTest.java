package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP contract of docs/design.md §5: status codes, error shape, headers, and no 500 for any input. */
class HttpApiTest {
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("http");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  record BadOrder(String body, String fieldInError) {
    @Override
    public String toString() {
      return fieldInError;
    }
  }

  static List<BadOrder> badOrders() {
    String address = "\"shippingAddress\": {\"country\": \"NL\"}";
    String item = "{\"sku\": \"s-1\", \"quantity\": 1, \"unitPriceCents\": 100}";
    return List.of(
        new BadOrder("{\"items\": [" + item + "], " + address + "}", "customerId"),
        new BadOrder("{\"customerId\": \"c-1\", " + address + "}", "items"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [], " + address + "}", "items"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [" + item + "]}", "shippingAddress"),
        new BadOrder("{\"customerId\": \"c 1\", \"items\": [" + item + "], " + address + "}", "customerId"),
        new BadOrder("{\"orderId\": \"" + "x".repeat(65) + "\", \"customerId\": \"c-1\", \"items\": [" + item + "], " + address + "}", "orderId"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [{\"sku\": \"s-1\", \"quantity\": 0, \"unitPriceCents\": 100}], " + address + "}", "items[0].quantity"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [{\"sku\": \"s-1\", \"quantity\": \"two\", \"unitPriceCents\": 100}], " + address + "}", "items[0].quantity"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [{\"sku\": \"s-1\", \"quantity\": 1.5, \"unitPriceCents\": 100}], " + address + "}", "items[0].quantity"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [{\"sku\": \"s-1\", \"quantity\": 1, \"unitPriceCents\": -1}], " + address + "}", "items[0].unitPriceCents"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [{\"quantity\": 1, \"unitPriceCents\": 1}], " + address + "}", "items[0].sku"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [" + item + "], \"shippingAddress\": {\"country\": \"Netherlands\"}}", "shippingAddress.country"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": {\"sku\": \"s-1\"}, " + address + "}", "items"),
        new BadOrder("{\"customerId\": 12, \"items\": [" + item + "], " + address + "}", "customerId"),
        new BadOrder("[1, 2]", "body"),
        new BadOrder("{\"customerId\": \"c-1\"", "malformed"),
        new BadOrder("", "empty"),
        new BadOrder("null", "object"),
        new BadOrder("{\"customerId\": \"c-1\", \"items\": [" + item + "], " + address + "} trailing", "malformed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOrders")
  void rejectsABadOrderWith400NamingTheField(BadOrder bad) {
    NodeClient.Response response = api.post("/orders", bad.body());
    assertEquals(400, response.status(), response.json().toString());
    assertTrue(response.text("error").contains(bad.fieldInError()), response.json().toString());
    assertTrue(response.json().get("details").isArray());
  }

  @Test
  void answersUnknownIdsWith404AndBadIdsWith400() {
    assertEquals(404, api.get("/orders/" + Orders.uniqueId("missing")).status());
    assertEquals(404, api.get("/sagas/" + Orders.uniqueId("missing")).status());
    assertEquals(400, api.get("/orders/bad%20id").status());
    assertEquals(404, api.get("/no/such/path").status());
    assertEquals("The requested resource could not be found.", api.get("/no/such/path").text("error"));
  }

  @Test
  void aReadWithWaitMsAnswersWhenTheOrderHasEnded() {
    var orders = new Orders(api);
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 5);
    // Shipping takes a while (below the test step timeout of 400 ms), so a plain read sees the order running.
    orders.setFaults("{\"shipping\": {\"latencyMs\": 200}}");
    try {
      String orderId = Orders.uniqueId("o");
      assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "NL").status());
      assertEquals("PENDING", api.get("/orders/" + orderId).text("status"));
      long start = System.nanoTime();
      NodeClient.Response waited = api.get("/orders/" + orderId + "?waitMs=10000");
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, waited.status());
      assertEquals("COMPLETED", waited.text("status"), waited.json().toString());
      // Answered when the saga ended, not when the wait was up (which would also read COMPLETED).
      assertTrue(waitedMs < 5_000, "answered after " + waitedMs + " ms");
      assertEquals("COMPLETED", api.get("/orders/" + orderId + "?waitMs=10000").text("status"));
    } finally {
      orders.clearFaults();
    }
    assertEquals(400, api.get("/orders/o-1?waitMs=soon").status());
    assertEquals(400, api.get("/orders/o-1?waitMs=-1").status());
    assertEquals(400, api.get("/orders/o-1?waitMs=60000").status());
    assertEquals(404, api.get("/orders/" + Orders.uniqueId("missing") + "?waitMs=100").status());
  }

  @Test
  void aSagaReadWithWaitMsAnswersWhenTheSagaHasEnded() {
    var orders = new Orders(api);
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 5);
    orders.setFaults("{\"shipping\": {\"latencyMs\": 200}}");
    try {
      String orderId = Orders.uniqueId("o");
      assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "XX").status());
      assertEquals("RUNNING", api.get("/sagas/" + orderId).text("status"));
      long start = System.nanoTime();
      NodeClient.Response waited = api.get("/sagas/" + orderId + "?waitMs=10000");
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, waited.status());
      assertEquals("COMPENSATED", waited.text("status"), waited.json().toString());
      assertTrue(waitedMs < 5_000, "answered after " + waitedMs + " ms");
    } finally {
      orders.clearFaults();
    }
    assertEquals(400, api.get("/sagas/s-1?waitMs=soon").status());
    assertEquals(400, api.get("/sagas/s-1?waitMs=15001").status());
    assertEquals(404, api.get("/sagas/" + Orders.uniqueId("missing") + "?waitMs=100").status());
  }

  @Test
  void streamsTheOutcomeOfEachOrderAsServerSentEvents() throws Exception {
    assertEquals(401, api.get("/admin/order-outcomes").status());
    var orders = new Orders(api);
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 5);
    HttpResponse<Stream<String>> stream = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/admin/order-outcomes"))
            .header("Authorization", "Bearer " + node.adminToken()).GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
    var lines = new LinkedBlockingQueue<String>();
    Thread reader = new Thread(() -> stream.body().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      String line;
      do {
        line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertNotNull(line, "no subscribed event");
      } while (!line.matches("event: ?subscribed"));
      String completed = Orders.uniqueId("o");
      String cancelled = Orders.uniqueId("o");
      assertEquals(202, orders.place(completed, customer, sku, 1, 100, "NL").status());
      assertEquals(202, orders.place(cancelled, customer, sku, 1, 100, "XX").status());
      Map<String, JsonNode> outcomes = new HashMap<>();
      while (!outcomes.keySet().containsAll(List.of(completed, cancelled))) {
        line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertNotNull(line, "outcomes seen: " + outcomes);
        if (line.startsWith("data:")) {
          JsonNode outcome = new ObjectMapper().readTree(line.substring("data:".length()));
          outcomes.put(outcome.get("orderId").asText(), outcome);
        }
      }
      assertEquals("COMPLETED", outcomes.get(completed).get("status").asText());
      assertEquals("CANCELLED", outcomes.get(cancelled).get("status").asText());
      assertEquals("COMPENSATED", outcomes.get(cancelled).get("sagaStatus").asText());
      assertTrue(outcomes.get(cancelled).get("reason").asText().contains("shipping"), outcomes.get(cancelled).toString());
      assertEquals("CANCELLED", api.get("/orders/" + cancelled).text("status"), "announced once stored");
    } finally {
      stream.body().close();
    }
  }

  @Test
  void requiresTheAdminTokenOnAdminRoutes() {
    assertEquals(401, api.get("/admin/accounts/c-1").status());
    assertEquals(401, api.post("/admin/accounts/c-1/deposit", "{\"amountCents\": 5}", "Authorization", "Bearer wrong").status());
    assertEquals(200, api.adminGet("/admin/accounts/c-1").status());
  }

  @Test
  void validatesAdminBodies() {
    assertEquals(400, api.adminPost("/admin/accounts/c-1/deposit", "{\"amountCents\": 0}").status());
    assertEquals(400, api.adminPost("/admin/accounts/c-1/deposit", "{}").status());
    assertEquals(400, api.adminPost("/admin/inventory/s-1/restock", "{\"quantity\": -3}").status());
    assertEquals(400, api.adminPut("/admin/faults", "{\"payment\": {\"failureRate\": 2}}").status());
    NodeClient.Response faults = api.adminPut("/admin/faults", "{\"seed\": 7, \"shipping\": {\"latencyMs\": 5}}");
    assertEquals(200, faults.status());
    assertEquals(7, faults.json().get("seed").asLong());
    assertEquals(5, faults.json().get("shipping").get("latencyMs").asLong());
    assertEquals(200, api.adminPut("/admin/faults", "{}").status());
  }

  @Test
  void answersAnOversizedBodyWith413() {
    NodeClient.Response response = api.post("/orders", "{\"customerId\": \"" + "x".repeat(70_000) + "\"}");
    assertEquals(413, response.status());
    assertEquals("request body too large", response.text("error"));
  }

  @Test
  void answersAnOversizedHeaderWith431AndTooManyHeadersWith400InJson() {
    NodeClient.Response oversized = api.post("/orders", "{}", "X-Note", "x".repeat(9_000));
    assertEquals(431, oversized.status());
    assertTrue(oversized.text("error").contains("header value exceeds the configured limit of 8192"), oversized.body());
    String[] headers = new String[2 * 70];
    for (int i = 0; i < 70; i++) {
      headers[2 * i] = "X-Note-" + i;
      headers[2 * i + 1] = "1";
    }
    NodeClient.Response tooMany = api.post("/orders", "{}", headers);
    assertEquals(400, tooMany.status());
    assertTrue(tooMany.text("error").contains("64 headers"), tooMany.body());
  }

  @Test
  void echoesTheCorrelationIdOrMakesOne() {
    assertEquals("trace-42", api.post("/orders", "{}", "X-Correlation-Id", "trace-42").header("X-Correlation-Id"));
    String generated = api.get("/health/live").header("X-Correlation-Id");
    assertTrue(generated != null && !generated.isBlank());
  }

  @Test
  void reportsLivenessAndReadiness() {
    assertEquals(200, api.get("/health/live").status());
    NodeClient.Response ready = api.get("/health/ready");
    assertEquals(200, ready.status());
    assertTrue(ready.json().get("checks").get("journalReachable").asBoolean());
  }

  @Test
  void neverAnswers500ToGarbage() {
    String[] bodies = {"{", "}", "\"text\"", "0", "{\"items\": [null]}", "{\"items\": [1]}", "{\"shippingAddress\": 3}",
        "{\"customerId\": \"c\", \"items\": [{\"sku\": \"s\", \"quantity\": 99999999999, \"unitPriceCents\": 1}], \"shippingAddress\": {\"country\": \"NL\"}}",
        "{\"customerId\": \"c\", \"items\": [{\"sku\": \"s\", \"quantity\": 1, \"unitPriceCents\": 1e400}], \"shippingAddress\": {\"country\": \"NL\"}}",
        "\u0000\u0001", "{\"customerId\": {\"nested\": true}}"};
    for (String body : bodies) {
      int status = api.post("/orders", body).status();
      assertTrue(status == 400, "body " + body + " answered " + status);
    }
  }
}
