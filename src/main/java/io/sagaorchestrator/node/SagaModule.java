package io.sagaorchestrator.node;

/**
 * A set of sagas a node runs: their definitions, the participants their steps call (sharded
 * entities of the module's own, or remote services), HTTP routes if the module has any, and the
 * audit's checks of its invariants. The engine knows no module by name.
 *
 * <p>A node finds modules on the classpath ({@code META-INF/services/io.sagaorchestrator.node.SagaModule},
 * loaded with {@link java.util.ServiceLoader}), or is handed them from code by a {@code main} of
 * the user's: {@code SagaNode.start(NodeConfig.load(), List.of(new TripModule()))}.
 */
public interface SagaModule {
  /** A short name, for logs and for {@code saga.modules.exclude}. */
  String name();

  /**
   * Called once as the node starts, before the saga engine: start the module's participants and
   * register its definitions, routes and audit checks with {@code node}.
   */
  void install(ModuleContext node);
}
