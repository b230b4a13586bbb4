"""What the root options hand to every command: where the store is, who acts, the format."""


from contextvars import ContextVar
from dataclasses import dataclass, field

# --wide and --columns as the running command was given them: set by their option callbacks,
# cleared by the root callback at the start of every command.
VIEW: ContextVar[tuple[bool, list[str] | None]] = ContextVar("score_view", default=(False, None))


@dataclass
class AppState:
    db: str | None = None
    actor: str | None = None
    format: str | None = None
    _store: object | None = field(default=None, repr=False)

    def url(self) -> str:
        from score_cli.store.db import resolve_url

        return resolve_url(self.db)

    def store(self, *, check_schema: bool = True):
        """The store, opened on first use (so `--help` never loads the database stack)."""
        if self._store is None:
            from score_cli.store.db import Store

            store = Store(self.url())
            if check_schema:
                store.check_schema()
            self._store = store
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
