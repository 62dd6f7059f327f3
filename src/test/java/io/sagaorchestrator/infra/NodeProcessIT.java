package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.NodeProcess;
import io.sagaorchestrator.testsupport.Orders;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The jar as a user runs it: start, place orders, stop with SIGTERM (Ctrl-C), start again, find every order. */
@Tag("node")
class NodeProcessIT {
  private static final Duration START = Duration.ofSeconds(60);

  @Test
  void keepsEveryOrderWithItsFinalStatusAcrossACleanRestart() throws Exception {
    try (DataDir workDir = new DataDir("process")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String shipped = Orders.uniqueId("o");
      String refunded = Orders.uniqueId("o");
      int httpPort = NodeProcess.freePort();
      int remotePort = NodeProcess.freePort();

      try (NodeProcess node = new NodeProcess(workDir.path(), "first", httpPort, remotePort, Map.of()).start().awaitReady(START)) {
        NodeClient api = node.api();
        Orders orders = new Orders(api);
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        assertEquals(202, orders.place(shipped, customer, sku, 1, 1_000, "NL").status());
        assertEquals(202, orders.place(refunded, customer, sku, 1, 1_000, "XX").status());
        assertEquals("COMPLETED", orders.awaitSettled(shipped).text("status"));
        assertEquals("CANCELLED", orders.awaitSettled(refunded).text("status"));
        int exit = node.terminate(Duration.ofSeconds(30));
        assertTrue(exit == 0 || exit == 143, "clean exit after SIGTERM, got " + exit);
        assertTrue(node.logText().contains("listening on http://127.0.0.1:" + httpPort), node.logText());
      }
      assertTrue(Files.exists(workDir.path().resolve("data").resolve("journal.mv.db")), "H2 journal under ./data");

      try (NodeProcess node = new NodeProcess(workDir.path(), "second", httpPort, remotePort, Map.of()).start().awaitReady(START)) {
        NodeClient api = node.api();
        assertEquals("COMPLETED", api.get("/orders/" + shipped).text("status"));
        assertEquals("CANCELLED", api.get("/orders/" + refunded).text("status"));
        assertEquals(9_000, new Orders(api).available(customer));
        node.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
