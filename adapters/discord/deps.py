"""What the slash commands and the views they create depend on, gathered in one object.

`create_client` builds one `Deps` per client and hands it to `commands.build_commands`, whose
callbacks capture it; handlers never look anything up on `interaction.client`. This keeps the
modules acyclic: format ← respond ← views ← deps ← commands ← client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from adapters.gate import AnswerGate
from bot.port import Core
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.shared_state import SharedState

from .views import VIEW_TIMEOUT, ViewRegistry

# Citations per page: three embeds read well on a phone and leave room within Discord's 6000 characters.
PAGE_SIZE: Final = 3


@dataclass(frozen=True)
class Deps:
    core: Core
    # Button state and the claims that answer a click or post a Share once, across every instance.
    state: SharedState
    views: ViewRegistry = field(default_factory=ViewRegistry)
    # Users who may /reload anywhere, besides members with Manage Server.
    admin_ids: frozenset[int] = frozenset()
    view_timeout: float = VIEW_TIMEOUT
    page_size: int = PAGE_SIZE
    # Questions per user a minute (admins exempt), and the bounded backlog of answers.
    limits: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    gate: AnswerGate = field(default_factory=lambda: AnswerGate(name="discord"))


def build_deps(
    core: Core, settings: Settings, *, state: SharedState, view_timeout: float = VIEW_TIMEOUT,
    page_size: int = PAGE_SIZE,
) -> Deps:
    """What the commands and buttons depend on, the same for the gateway bot and the HTTP endpoint."""
    admins = frozenset(settings.discord.admin_ids)
    return Deps(
        core=core, state=state, admin_ids=admins, view_timeout=view_timeout, page_size=page_size,
        limits=RateLimiter(settings.core.rate_limit_per_minute, state=state, exempt={str(i) for i in admins}),
    )
