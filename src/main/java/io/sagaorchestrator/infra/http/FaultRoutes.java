package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.infra.http.dto.Dtos.ParticipantFaultsRequest;
import io.sagaorchestrator.participants.faults.FaultInjector;
import io.sagaorchestrator.participants.faults.FaultSettings;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /admin/faults}: the faults injected in front of in-process participants, as
 * {@code {"seed": 42, "<participant>": {"failureRate", "timeoutRate", "latencyMs"}, …}}. A
 * participant the PUT leaves out gets no faults; one the node does not know is a 400.
 */
public final class FaultRoutes extends AllDirectives {
  private static final String SEED = "seed";

  private final FaultInjector faults;

  public FaultRoutes(FaultInjector faults) {
    this.faults = faults;
  }

  public Route route() {
    return path("faults", () -> concat(
        get(() -> complete(HttpJson.ok(toResponse(faults.settings())))),
        put(() -> entity(Unmarshaller.entityToString(), body -> complete(setFaults(body))))));
  }

  private HttpResponse setFaults(String body) {
    JsonNode request = HttpJson.read(body, JsonNode.class);
    if (!(request instanceof ObjectNode fields)) throw new HttpJson.BadRequest("body: must be a JSON object", List.of("body"));
    FaultSettings current = faults.settings();
    Map<String, FaultSettings.ParticipantFaults> byParticipant = new TreeMap<>();
    for (Iterator<String> names = fields.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (name.equals(SEED)) continue;
      if (!current.byParticipant().containsKey(name)) {
        throw new HttpJson.BadRequest(name + ": not a participant of this node (" + String.join(", ", current.byParticipant().keySet()) + ")",
            List.of(name));
      }
      byParticipant.put(name, toFaults(name, HttpJson.convert(fields.get(name), ParticipantFaultsRequest.class, name)));
    }
    current.byParticipant().keySet().forEach(name -> byParticipant.putIfAbsent(name, FaultSettings.ParticipantFaults.NONE));
    JsonNode seed = fields.get(SEED);
    if (seed != null && !seed.canConvertToLong()) throw new HttpJson.BadRequest("seed: must be an integer", List.of(SEED));
    FaultSettings next = new FaultSettings(seed == null ? current.seed() : seed.asLong(), byParticipant);
    faults.update(next);
    return HttpJson.ok(toResponse(next));
  }

  private static FaultSettings.ParticipantFaults toFaults(String name, ParticipantFaultsRequest request) {
    if (request == null) return FaultSettings.ParticipantFaults.NONE;
    try {
      return new FaultSettings.ParticipantFaults(
          request.failureRate() == null ? 0 : request.failureRate(),
          request.timeoutRate() == null ? 0 : request.timeoutRate(),
          request.latencyMs() == null ? 0 : request.latencyMs());
    } catch (IllegalArgumentException e) {
      throw new HttpJson.BadRequest(name + "." + e.getMessage(), List.of(name));
    }
  }

  /** The same shape as the PUT body, so a GET can be edited and sent back. */
  private static Map<String, Object> toResponse(FaultSettings settings) {
    Map<String, Object> response = new java.util.LinkedHashMap<>();
    response.put(SEED, settings.seed());
    settings.byParticipant().forEach((name, f) ->
        response.put(name, new ParticipantFaultsRequest(f.failureRate(), f.timeoutRate(), f.latencyMs())));
    return response;
  }
}
