package io.sagaorchestrator.participants.http;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's HTTP participants, one per name, so that every saga calling a service shares its
 * bulkhead and circuit breaker, whichever module or definition the saga belongs to. Settings come
 * from {@code saga.participants.http.<name>} ({@link HttpParticipantSettings}).
 */
public final class HttpParticipants implements Extension {
  private final ActorSystem<?> system;
  private final HttpClient client;
  private final Map<String, HttpParticipant> byName = new ConcurrentHashMap<>();

  private HttpParticipants(ActorSystem<?> system) {
    this.system = system;
    this.client = newClient(system);
  }

  public static HttpParticipants get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** The participant called {@code name}, created with its settings on first use. */
  public HttpParticipant named(String name) {
    return byName.computeIfAbsent(name, n ->
        new HttpParticipant(system, client, HttpParticipantSettings.from(system.settings().config(), n)));
  }

  /** HTTP/1.1, no redirects followed: a participant's 3xx is an answer to report, not to chase. */
  /**
   * The JDK's client, its callbacks on the actor system's dispatcher: by default it runs them on a
   * cached pool, which grows a thread for about every call in flight.
   */
  static HttpClient newClient(ActorSystem<?> system) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(system.executionContext())
        .build();
  }

  static final class Id extends ExtensionId<HttpParticipants> {
    static final Id INSTANCE = new Id();

    @Override
    public HttpParticipants createExtension(ActorSystem<?> system) {
      return new HttpParticipants(system);
    }
  }
}
