package io.sagaorchestrator.orchestrator;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The definitions a node can run. A saga records the name and version it started with, so a
 * new version can be registered while sagas of the old one finish on it.
 */
public final class SagaDefinitions {
  private final Map<String, TreeMap<Integer, SagaDefinition<?>>> byName = new ConcurrentHashMap<>();
  private final Map<String, String> startedOnlyThrough = new ConcurrentHashMap<>();

  /**
   * As {@link #register}, for a definition whose sagas only its module starts (the order saga
   * starts with its order): {@code POST /sagas} refuses it and names {@code route} instead.
   */
  public SagaDefinitions registerStartedThrough(SagaDefinition<?> definition, String route) {
    register(definition);
    startedOnlyThrough.put(definition.name(), route);
    return this;
  }

  /** The route that starts sagas of {@code name}, when {@code POST /sagas} may not. */
  public Optional<String> startedOnlyThrough(String name) {
    return Optional.ofNullable(startedOnlyThrough.get(name));
  }

  /** Every registered definition, by name, oldest version first. */
  public SortedMap<String, List<SagaDefinition<?>>> all() {
    SortedMap<String, List<SagaDefinition<?>>> all = new TreeMap<>();
    byName.forEach((name, versions) -> all.put(name, List.copyOf(versions.values())));
    return all;
  }

  public SagaDefinitions register(SagaDefinition<?> definition) {
    byName.compute(definition.name(), (name, versions) -> {
      TreeMap<Integer, SagaDefinition<?>> next = versions == null ? new TreeMap<>() : new TreeMap<>(versions);
      if (next.containsKey(definition.version())) {
        throw new IllegalArgumentException("definition " + definition.id() + " is registered already");
      }
      next.put(definition.version(), definition);
      return next;
    });
    return this;
  }

  public Optional<SagaDefinition<?>> latest(String name) {
    TreeMap<Integer, SagaDefinition<?>> versions = byName.get(name);
    return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
  }

  /**
   * Why this node cannot run a saga that started on {@code name} version {@code version} with the
   * step names it stored, or empty when it can: the version is pinned, and the steps must be the
   * stored ones, by name and order, since each step's idempotency key is made of its stored name
   * (docs/design.md §3.11).
   */
  public Optional<String> cannotRun(String name, int version, List<String> storedStepNames) {
    Optional<SagaDefinition<?>> found = find(name, version);
    if (found.isEmpty()) {
      TreeMap<Integer, SagaDefinition<?>> versions = byName.get(name);
      return Optional.of("definition " + name + "@v" + version + " is not registered on this node ("
          + (versions == null ? "no version of " + name : "it has " + name + " versions " + versions.keySet()) + ")");
    }
    List<String> names = found.get().steps().stream().map(SagaStep::name).toList();
    if (names.equals(storedStepNames)) return Optional.empty();
    return Optional.of("definition " + name + "@v" + version + " on this node has steps " + names
        + ", the saga started with " + storedStepNames);
  }

  public Optional<SagaDefinition<?>> find(String name, int version) {
    TreeMap<Integer, SagaDefinition<?>> versions = byName.get(name);
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
  }
}
