"""The papermill engine the batch executes notebooks with, registered through papermill's public registry.

It is papermill's nbclient engine, saving the output notebook when execution starts and ends (also when the
kernel dies, and during long cells) instead of after every cell: the same notebook, written 2 times, not 37.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

NAME = "smartcity"


class SparseSaveManager(NotebookExecutionManager):  # type: ignore[misc]
    """Saves the notebook at its start, its end and papermill's autosaves of long cells; not after every cell."""

    writes = False

    def save(self, **kwargs: Any) -> None:
        if self.writes:
            super().save(**kwargs)
        else:
            self.last_save_time = self.now()

    def autosave_cell(self) -> None:
        self.writes = True
        try:
            super().autosave_cell()
        finally:
            self.writes = False

    def notebook_complete(self, **kwargs: Any) -> None:
        self.writes = True
        super().notebook_complete(**kwargs)


class SparseSaveEngine(NBClientEngine):  # type: ignore[misc]
    """nbclient's engine with a :class:`SparseSaveManager`."""

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        nb_man = SparseSaveManager(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


def register() -> str:
    """Register the engine with papermill (registering it again changes nothing); returns its name."""
    papermill_engines.register(NAME, SparseSaveEngine)
    return NAME
