package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.NodeProcess;
import io.sagaorchestrator.testsupport.OrderLoad;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded default under SIGKILL: nothing acknowledged is lost, nothing leaks. */
@Tag("node")
class CrashRecoveryIT {
  private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryIT.class);

  @Test
  void losesNoAcceptedOrderAndLeaksNothingWhenTheOnlyNodeIsKilledMidLoad() throws Exception {
    try (DataDir workDir = new DataDir("crash")) {
      int httpPort = NodeProcess.freePort();
      int remotePort = NodeProcess.freePort();
      OrderLoad load = new OrderLoad(1_500, 10, 10);
      try (NodeProcess node = new NodeProcess(workDir.path(), "before-kill", httpPort, remotePort, Map.of()).start()
          .awaitReady(Duration.ofSeconds(60))) {
        load.seed(node.api());
        Future<?> placing = load.start(node::api, 32);
        Eventually.within(Duration.ofSeconds(60), () -> assertTrue(load.acceptedCount() >= 500, "accepted " + load.acceptedCount()));
        node.kill();
        placing.get();
      }
      LOG.info("crash test: {} orders sent, {} accepted before SIGKILL, other answers {}",
          load.sentCount(), load.acceptedCount(), load.failedAnswers());

      try (NodeProcess node = new NodeProcess(workDir.path(), "after-kill", httpPort, remotePort, Map.of()).start()
          .awaitReady(Duration.ofSeconds(60))) {
        long restarted = System.nanoTime();
        JsonNode audit = OrderLoad.awaitCleanAudit(node.api(), Duration.ofSeconds(120));
        LOG.info("crash test: audit clean {} s after restart: orders {}, sagas {}",
            String.format("%.1f", (System.nanoTime() - restarted) / 1e9), audit.get("orders"), audit.get("sagas"));
        Map<String, String> statuses = load.awaitAllSettled(node.api(), Duration.ofSeconds(120));
        assertTrue(statuses.keySet().containsAll(load.acceptedOrders()), "every accepted order exists");
        load.assertLedgersBalance(node.api(), statuses);
        node.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
