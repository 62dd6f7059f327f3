package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.Promtool;
import io.sagaorchestrator.testsupport.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} after real traffic, read by Prometheus' own parser and linter
 * ({@code promtool check metrics}): valid exposition format, Prometheus' naming conventions, the
 * metrics an operator needs, and no label value that grows with the traffic (ids).
 */
class MetricsTest {
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static String scraped;

  @BeforeAll
  static void startNodeAndServeSomeTraffic() throws Exception {
    dataDir = new DataDir("metrics");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    Orders orders = new Orders(api);
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    for (int i = 0; i < 3; i++) {
      String orderId = Orders.uniqueId("o");
      assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "NL").status());
      api.get("/orders/" + orderId + "?waitMs=5000");
    }
    api.get("/orders/o-never-placed");
    NodeClient.Response response = api.get("/metrics");
    assertEquals(200, response.status());
    assertTrue(response.header("Content-Type").startsWith("text/plain; version=0.0.4"), response.header("Content-Type"));
    scraped = response.body();
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void prometheusReadsItWithoutAComplaint() throws Exception {
    Promtool.Result checked = Promtool.checkMetrics(scraped);
    assertEquals(0, checked.exitCode(), checked.output());
    assertEquals("", checked.output().trim(), "promtool's lint findings");
  }

  @Test
  void countsRequestsByRouteTemplateAndStatusClass() {
    assertTrue(scraped.contains("http_server_requests_seconds_count{method=\"POST\",route=\"/orders\",status=\"2xx\"}"), scraped);
    assertTrue(scraped.contains("route=\"/orders/{orderId}\",status=\"2xx\"}"), scraped);
    assertTrue(scraped.contains("route=\"/orders/{orderId}\",status=\"4xx\"}"), "the 404 of an unknown order");
    assertTrue(scraped.contains("http_server_requests_seconds_bucket{"), "a latency histogram");
  }

  @Test
  void countsSagasAndTimesTheirStepsByDefinitionAndStep() {
    assertTrue(scraped.contains("saga_started_total{definition=\"order\"} 3.0"), scraped);
    assertTrue(scraped.contains("saga_settled_total{definition=\"order\",status=\"COMPLETED\"} 3.0"), scraped);
    for (String step : List.of("payment", "inventory", "shipping")) {
      assertTrue(scraped.contains("saga_step_attempt_seconds_count{answer=\"succeeded\",definition=\"order\",kind=\"action\",step=\""
          + step + "\"} 3"), step + " in " + scraped);
    }
    assertTrue(scraped.contains("saga_step_attempt_seconds_bucket{answer=\"succeeded\",definition=\"order\",kind=\"action\",step=\"payment\",le=\"0.005\"}"),
        "a latency histogram with fixed buckets");
  }

  @Test
  void showsTheSagaKeepersStartsFailuresAndOpenSagas() {
    Eventually.within(Duration.ofSeconds(10), () -> {
      String now = api.get("/metrics").body();
      assertTrue(now.contains("saga_keeper_starts_total 1.0"), "the keeper started once on this one-node cluster: " + now);
      assertTrue(now.contains("saga_keeper_read_failures_total 0.0"), now);
      assertTrue(now.contains("saga_keeper_open_sagas "), now);
    });
  }

  @Test
  void timesTheJournalsBatchInsertsAndCountsTheirRows() {
    Matcher rows = Pattern.compile("saga_journal_write_batch_rows_sum ([0-9.E]+)").matcher(scraped);
    assertTrue(rows.find(), scraped);
    assertTrue(Double.parseDouble(rows.group(1)) >= 3 * 3, "at least the three sagas' events: " + rows.group());
    assertTrue(scraped.contains("saga_journal_write_batch_rows_bucket{le=\"1.0\"}"), "a batch size histogram");
    assertTrue(scraped.contains("saga_journal_write_seconds_bucket{le=\"0.005\"}"), "a write latency histogram");
  }

  @Test
  void carriesTheJvmsHeapGcAndThreads() {
    for (String family : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_gc_live_data_size_bytes",
        "jvm_threads_live_threads", "process_cpu_usage")) {
      assertTrue(scraped.contains("# TYPE " + family + " "), family);
    }
  }

  @Test
  void noLabelCarriesAnId() {
    Matcher labels = Pattern.compile("\\{([^}]*)}").matcher(scraped);
    while (labels.find()) {
      assertFalse(labels.group(1).matches(".*\"(o|c|s)-[0-9a-f-]{8,}.*"), "an id in a label: " + labels.group());
    }
  }
}
