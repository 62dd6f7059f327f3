package io.sagaorchestrator.infra.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.client.AuditResult;
import io.sagaorchestrator.client.NodeClient;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar saga-orchestrator.jar audit --url http://127.0.0.1:8080 --token TOKEN}: runs
 * the consistency audit on a node and exits 0 when it holds, 1 on any violation, 2 when the
 * audit could not run.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    exitCodeOnExecutionException = 2,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the audit holds", "1:violations found", "2:the audit could not run (or invalid options)"},
    description = "Check the invariants of a running node (GET /admin/audit); exit 1 on any violation, 2 if the audit cannot run.")
public final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Node to audit (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--token", defaultValue = "${env:SAGA_ADMIN_TOKEN}",
      description = "Admin token (default: the environment variable SAGA_ADMIN_TOKEN).")
  String token;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "How long to wait for the answer, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print the node's JSON answer instead of a summary.")
  boolean json;

  @Option(names = "--max-violations", defaultValue = "50", description = "Violations to print in the summary (default: ${DEFAULT-VALUE}).")
  int maxViolations;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (token == null || token.isBlank()) {
      err.println("audit: no admin token: pass --token or set SAGA_ADMIN_TOKEN");
      return 2;
    }
    NodeClient node = new NodeClient(NodeClient.newHttpClient().build(), url, token);
    AuditResult result;
    try {
      result = node.audit(timeout);
    } catch (UncheckedIOException e) {
      err.println("audit: cannot reach " + url + ": " + e.getCause());
      return 2;
    }
    if (json && result.httpStatus() == 200) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.json()));
    } else {
      out.println(result.describe(maxViolations));
    }
    out.flush();
    if (result.httpStatus() != 200) return 2;
    return result.ok() ? 0 : 1;
  }
}
