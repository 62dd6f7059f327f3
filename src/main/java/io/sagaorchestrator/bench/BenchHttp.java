package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The bench's one HTTP client, on two threads of its own, shared by a {@link NodeClient} per node. */
final class BenchHttp implements AutoCloseable {
  /**
   * Idle connections close after this (the JDK's default is 20 minutes), so the heap read after the
   * run does not count the client's read buffers as the node's. Under load none is idle this long.
   */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

  private final ExecutorService threads = Executors.newFixedThreadPool(2, DaemonThreads.named("bench-http"));
  private final HttpClient client;

  private BenchHttp() {
    client = NodeClient.newHttpClient().executor(threads).build();
  }

  /** Call before anything in this JVM uses the JDK's HTTP client: it reads the keep-alive once. The bench owns this JVM. */
  static BenchHttp open() {
    System.setProperty("jdk.httpclient.keepalive.timeout", Long.toString(KEEP_ALIVE.toSeconds()));
    return new BenchHttp();
  }

  List<NodeClient> nodes(BenchTarget target) {
    return target.urls().stream().map(url -> new NodeClient(client, url, target.adminToken())).toList();
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
