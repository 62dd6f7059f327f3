package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.NodeProcess;
import io.sagaorchestrator.testsupport.OrderLoad;
import io.sagaorchestrator.testsupport.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three JVM nodes from the built jar on one PostgreSQL journal: SIGKILL one under load, check
 * that nothing accepted is lost and the ledgers balance, restart it, then let another leave
 * with SIGTERM under load.
 */
@Tag("node")
class ClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(180);

  @Test
  void survivesAKilledNodeAndAGracefulLeaveUnderLoad() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.createOrSkip(); DataDir workDir = new DataDir("cluster")) {
      int[] http = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
      int[] remote = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
      Map<String, String> env = Map.of(
          "SAGA_JOURNAL", "postgres",
          "SAGA_DB_URL", database.url(),
          "SAGA_DB_USER", PostgresDatabase.USER,
          "SAGA_DB_PASSWORD", PostgresDatabase.PASSWORD,
          "SAGA_SEED_NODES", "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1]);
      NodeProcess[] nodes = new NodeProcess[3];
      try {
        for (int i = 0; i < 3; i++) nodes[i] = node(workDir, "node" + (i + 1), http[i], remote[i], env).start();
        for (NodeProcess node : nodes) node.awaitReady(READY);

        OrderLoad load = new OrderLoad(3_000, 20, 20);
        load.seed(nodes[0].api());
        AtomicInteger next = new AtomicInteger();
        Future<?> placing = load.start(() -> aliveNode(nodes, next).api(), 48);
        Eventually.within(Duration.ofSeconds(120), () -> assertTrue(load.acceptedCount() >= 1_000, "accepted " + load.acceptedCount()));
        nodes[2].kill();
        long killedAt = System.nanoTime();
        placing.get();
        LOG.info("cluster test: {} orders sent, {} accepted, other answers {}",
            load.sentCount(), load.acceptedCount(), load.failedAnswers());

        JsonNode audit = OrderLoad.awaitCleanAudit(nodes[0].api(), SETTLE);
        LOG.info("cluster test: audit clean {} s after the SIGKILL: orders {}, sagas {}, {} events read in {} ms",
            String.format("%.1f", (System.nanoTime() - killedAt) / 1e9), audit.get("orders"), audit.get("sagas"), audit.get("eventsRead").asLong(),
            audit.get("durationMs").asLong());
        Map<String, String> statuses = load.awaitAllSettled(nodes[0].api(), SETTLE);
        assertTrue(statuses.keySet().containsAll(load.acceptedOrders()), "every accepted order exists");
        load.assertLedgersBalance(nodes[1].api(), statuses);

        nodes[2] = node(workDir, "node3-restarted", http[2], remote[2], env).start().awaitReady(READY);
        assertEquals(200, nodes[2].api().get("/orders/" + load.acceptedOrders().iterator().next()).status(),
            "the restarted node rejoined and serves orders");

        // Graceful leave: requests to the nodes that stay must not fail while node 2 hands its shards over.
        OrderLoad during = new OrderLoad(600, 5, 5);
        during.seed(nodes[0].api());
        List<NodeProcess> staying = List.of(nodes[0], nodes[2]);
        AtomicInteger round = new AtomicInteger();
        Future<?> leaving = during.start(() -> staying.get(Math.floorMod(round.getAndIncrement(), 2)).api(), 16);
        Eventually.within(Duration.ofSeconds(60), () -> assertTrue(during.acceptedCount() >= 100));
        int exit = nodes[1].terminate(Duration.ofSeconds(60));
        leaving.get();
        assertTrue(exit == 0 || exit == 143, "node 2 left cleanly, exit " + exit);
        assertEquals(Map.of(), during.failedAnswers(), "no failed requests on the nodes that stayed");
        OrderLoad.awaitCleanAudit(nodes[2].api(), SETTLE);
        Map<String, String> afterLeave = during.awaitAllSettled(nodes[0].api(), SETTLE);
        during.assertLedgersBalance(nodes[2].api(), afterLeave);
      } finally {
        for (NodeProcess node : nodes) if (node != null) node.close();
      }
    }
  }

  private static NodeProcess node(DataDir workDir, String name, int http, int remote, Map<String, String> env) {
    // Down an unreachable node after 5 s instead of 20 s, so the test does not wait on the default.
    return new NodeProcess(workDir.path(), name, http, remote, env)
        .withJvmOptions("-Dakka.cluster.split-brain-resolver.stable-after=5s");
  }

  private static NodeProcess aliveNode(NodeProcess[] nodes, AtomicInteger next) {
    for (int tries = 0; tries < nodes.length; tries++) {
      NodeProcess candidate = nodes[Math.floorMod(next.getAndIncrement(), nodes.length)];
      if (candidate.isAlive()) return candidate;
    }
    throw new IllegalStateException("no node alive");
  }
}
