package io.sagaorchestrator.orchestrator;

/**
 * A definition's name with the type of its data: what a starter needs to start a saga with data
 * the compiler has checked ({@link SagaEntity.StartSaga#of}), without holding the definition.
 */
public record SagaType<D>(String name, Class<D> dataType) {
  public static <D> SagaType<D> of(String name, Class<D> dataType) {
    return new SagaType<>(name, dataType);
  }
}
