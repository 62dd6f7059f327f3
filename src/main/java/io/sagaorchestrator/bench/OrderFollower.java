package io.sagaorchestrator.bench;

/** How the run sees an accepted order reach its terminal status. */
sealed interface OrderFollower extends AutoCloseable permits PollFollower, StreamFollower {
  /** {@code --follow}: on the nodes' outcome streams, or by long polls alone. */
  enum Mode { STREAM, POLL }

  /** The node accepted the order: from now on its end is looked for. */
  void follow(TrackedOrder order);

  @Override
  void close();
}
