package io.sagaorchestrator.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagaorchestrator.client.AuditResult;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.infra.audit.AuditReport;
import io.sagaorchestrator.infra.audit.JournalAudit;
import io.sagaorchestrator.infra.audit.SagaAudit;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.infra.config.SagaSettings;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.http.Admission;
import io.sagaorchestrator.infra.http.BearerToken;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.infra.readside.ReadSideSettings;
import io.sagaorchestrator.orchestrator.RunningSagas;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar saga-orchestrator.jar verify-definitions [--url URL --token TOKEN]}, run with
 * the build about to be deployed: lists the sagas in flight (started, not ended; parked ones
 * included) that this build could not run, because their definition version is not in it or its
 * step names differ from those they started with (docs/design.md §3.11), and exits 1 if there
 * are any. Without {@code --url} it reads the journal of the node's configuration (its H2 data
 * directory or PostgreSQL URL) with the audit's scan; with it, a running node's audit answers
 * (needed for an H2 file a node holds open).
 */
@Command(
    name = "verify-definitions",
    mixinStandardHelpOptions = true,
    exitCodeOnExecutionException = 2,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every in-flight saga can run on this build", "1:some cannot (listed)", "2:the check could not run"},
    description = "Before a deploy: list the in-flight sagas this build could not run (definition version missing, "
        + "or step names changed); exit 1 if any.")
public final class VerifyDefinitionsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** This build's modules are installed on a system of its own: it listens on no fixed port and joins no cluster. */
  private static final String TOOL_OVERRIDES = """
      akka.remote.artery.canonical.port = 0
      akka.loglevel = WARNING
      saga.cluster.seed-nodes = []
      """;

  @Spec CommandSpec spec;

  @Option(names = "--url", description = "A running node to ask (its GET /admin/audit) instead of reading the journal.")
  URI url;

  @Option(names = "--token", defaultValue = "${env:SAGA_ADMIN_TOKEN}",
      description = "Admin token for --url (default: the environment variable SAGA_ADMIN_TOKEN).")
  String token;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "How long to wait for the node's answer, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (url != null && (token == null || token.isBlank())) {
      err.println("verify-definitions: no admin token for --url: pass --token or set SAGA_ADMIN_TOKEN");
      return 2;
    }
    Config config = NodeConfig.load(ConfigFactory.parseString(TOOL_OVERRIDES));
    JournalConfig journal = JournalConfig.from(config);
    // Opening a missing H2 file would create an empty journal, and "nothing in flight" would pass a wrong data directory.
    Path h2File = JournalConfig.dataDir(config).resolve("journal.mv.db");
    if (url == null && journal.kind() == JournalConfig.Kind.H2 && !Files.isRegularFile(h2File)) {
      err.println("verify-definitions: no H2 journal at " + h2File.toAbsolutePath() + " (saga.data-dir)");
      return 2;
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    try {
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      SagaDefinitions build = SagaNode.install(system, SagaSettings.from(config), List.of(), metrics,
          ReadSide.open(system, journal, ReadSideSettings.off(), metrics), new Admission(new RunningSagas(), config, metrics),
          new BearerToken(List.of(), ""))
          .definitions();
      Optional<List<SagaAudit.InFlight>> inFlight = url == null ? fromJournal(system, journal, err) : fromNode(err);
      if (inFlight.isEmpty()) return 2;
      return verdict(inFlight.get(), build, out);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The sagas in flight in {@code journal}, per pinned definition version and step names. */
  public static List<SagaAudit.InFlight> inJournal(ActorSystem<?> system, JournalConfig journal) {
    AuditReport report = new JournalAudit(system, journal, List::of, null).run().toCompletableFuture().join();
    return report.section("inFlight");
  }

  /** The same, from an audit's JSON answer. */
  public static List<SagaAudit.InFlight> fromAudit(JsonNode audit) {
    return JSON.convertValue(audit.path("inFlight"), new TypeReference<List<SagaAudit.InFlight>>() {});
  }

  private static Optional<List<SagaAudit.InFlight>> fromJournal(ActorSystem<?> system, JournalConfig journal, PrintWriter err) {
    try {
      return Optional.of(inJournal(system, journal));
    } catch (CompletionException e) {
      err.println("verify-definitions: " + e.getCause().getMessage());
      return Optional.empty();
    }
  }

  private Optional<List<SagaAudit.InFlight>> fromNode(PrintWriter err) {
    AuditResult result;
    try {
      result = new NodeClient(NodeClient.newHttpClient().build(), url, token).audit(timeout);
    } catch (UncheckedIOException e) {
      err.println("verify-definitions: cannot reach " + url + ": " + e.getCause());
      return Optional.empty();
    }
    if (result.httpStatus() != 200 || !result.json().has("inFlight")) {
      err.println("verify-definitions: " + url + " gave no in-flight sagas: " + result.describe(0));
      return Optional.empty();
    }
    return Optional.of(fromAudit(result.json()));
  }

  /** Prints which in-flight sagas {@code build} could not run, and why; 1 when there are some, else 0. */
  public static int verdict(List<SagaAudit.InFlight> inFlight, SagaDefinitions build, PrintWriter out) {
    long sagas = 0;
    long blocked = 0;
    StringBuilder listed = new StringBuilder();
    for (SagaAudit.InFlight pin : inFlight) {
      sagas += pin.sagas();
      Optional<String> why = build.cannotRun(pin.definition(), pin.version(), pin.steps());
      if (why.isEmpty()) continue;
      blocked += pin.sagas();
      listed.append("\n  ").append(pin.definition()).append("@v").append(pin.version()).append(' ').append(pin.steps())
          .append(": ").append(pin.sagas()).append(pin.sagas() == 1 ? " saga" : " sagas").append(" — ").append(why.get());
    }
    if (blocked == 0) {
      out.println("ok: this build can run every one of the " + sagas + " sagas in flight (" + inFlight.size() + " definition versions)");
    } else {
      out.println("NOT SAFE: this build could not run " + blocked + " of the " + sagas + " sagas in flight; they would be BLOCKED:" + listed);
    }
    out.flush();
    return blocked == 0 ? 0 : 1;
  }
}
