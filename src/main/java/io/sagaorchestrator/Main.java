package io.sagaorchestrator;

import io.sagaorchestrator.bench.BenchCommand;
import io.sagaorchestrator.infra.audit.AuditCommand;
import io.sagaorchestrator.node.VerifyDefinitionsCommand;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.tools.ParticipantServerCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jar's entry point: with no subcommand it runs a node. */
@Command(
    name = "saga-orchestrator",
    mixinStandardHelpOptions = true,
    description = "Clustered, event-sourced saga orchestrator. With no subcommand: run a node.",
    subcommands = {CommandLine.HelpCommand.class, BenchCommand.class, AuditCommand.class, VerifyDefinitionsCommand.class,
        ParticipantServerCommand.class})
public final class Main implements Callable<Integer> {
  private static final Path LOCAL_LOGBACK = Path.of("conf", "logback.xml");
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // With fewer than 2 cores' worth of common-pool parallelism, CompletableFuture runs every async
    // callback (Akka's Java ask answers through them) on a new thread of its own.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    // conf/logback.xml beside the deployable config wins over the one in the jar.
    if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(LOCAL_LOGBACK)) {
      System.setProperty("logback.configurationFile", LOCAL_LOGBACK.toString());
    }
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    SagaNode node = SagaNode.start(NodeConfig.load());
    CountDownLatch stopped = new CountDownLatch(1);
    node.system().getWhenTerminated().thenRun(stopped::countDown);
    // Ctrl-C or SIGTERM: leave the cluster cleanly (hand shards over, close the journal) before exiting.
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "saga-shutdown"));
    stopped.await();
    return 0;
  }
}
