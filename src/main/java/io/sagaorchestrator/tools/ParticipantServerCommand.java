package io.sagaorchestrator.tools;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar saga-orchestrator.jar participant-server --port 9101 --port 9102 --port 9103}:
 * one booking service per port ({@link ParticipantServer}), e.g. the hotel, airline and car rental
 * of conf/examples/trip.conf, until Ctrl-C. Each request is logged at DEBUG.
 */
@Command(
    name = "participant-server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Serves idempotent booking services over HTTP, one per --port, for sagas whose steps call HTTP participants "
            + "(docs/http-participant.md): PUT or POST books under the Idempotency-Key, DELETE cancels it; a booking whose "
            + "path or JSON body carries the refused value is answered 409."})
public final class ParticipantServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", required = true, description = "A port to serve one booking service on (repeatable; 0: one the OS picks).")
  List<Integer> ports = new ArrayList<>();

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--refuse-value", defaultValue = "none",
      description = "Bookings whose path segment or JSON string value is this are refused with 409, so a saga carrying it "
          + "compensates (default: ${DEFAULT-VALUE}; empty: refuse none).")
  String refusedValue;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<ParticipantServer> servers = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      servers.forEach(ParticipantServer::close);
      stopped.countDown();
    }, "participant-server-shutdown"));
    try {
      for (int port : ports) servers.add(ParticipantServer.serve(host, port, refusedValue));
    } catch (Exception e) {
      servers.forEach(ParticipantServer::close);
      throw e;
    }
    servers.forEach(server -> out.println("booking service on " + server.baseUrl()));
    out.println(refusedValue.isEmpty() ? "refusing no bookings" : "refusing bookings that carry \"" + refusedValue + "\"");
    out.flush();
    stopped.await();
    return 0;
  }
}
