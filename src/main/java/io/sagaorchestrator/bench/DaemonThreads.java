package io.sagaorchestrator.bench;

import java.util.concurrent.ThreadFactory;

/** The bench's own threads are daemons: a run that gave up does not keep the JVM alive. */
final class DaemonThreads {
  private DaemonThreads() {}

  static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
