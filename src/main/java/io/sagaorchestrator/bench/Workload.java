package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a load run places, decided up front, and how it sees each one end: orders ({@link OrderPlan},
 * the default) or sagas started with {@code POST /sagas} ({@link TripPlan}).
 */
interface Workload {
  int size();

  /** The order or saga id of the i-th. */
  String id(int i);

  /** Sends the i-th; 200 or 202 means it is durable and runs. */
  CompletableFuture<NodeClient.Response> place(NodeClient node, int i, Duration timeout);

  /** A long poll: answered when it has ended (or parked), or when {@code wait} is up. */
  CompletableFuture<NodeClient.Response> awaitEnd(NodeClient node, String id, Duration wait, Duration timeout);

  /** The terminal outcome an answer of {@link #awaitEnd} shows; null while it runs. */
  Outcome outcome(JsonNode answer);

  /** How the i-th should end. */
  Outcome expected(int i);
}
