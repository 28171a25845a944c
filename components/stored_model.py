"""What the project's NLU components share: a model saved as a directory in Rasa's model storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Generic, Protocol, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class SavedModel(Protocol):
    def save(self, directory: Path) -> None: ...


M = TypeVar("M", bound=SavedModel)


class StoredModelComponent(GraphComponent, Generic[M]):
    @classmethod
    def load_model(cls, directory: Path) -> M:
        raise NotImplementedError

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, model: M | None = None
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StoredModelComponent[M]:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredModelComponent[M]:
        with model_storage.read_from(resource) as directory:
            return cls(config, model_storage, resource, cls.load_model(directory))

    def _persist(self, model: M) -> Resource:
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            model.save(directory)
        return self._resource
