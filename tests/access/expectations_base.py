"""The generic parts of the authorization matrix: personas' roles and the rule builders."""

from __future__ import annotations

from collections.abc import Callable

from entente.core.choices import Role
from entente.demo.personas import BY_USERNAME

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"

Rule = Callable[[str], int]


def role(persona: str, module: str) -> int:
    p = BY_USERNAME.get(persona)
    return int(p.roles.get(module, 0)) if p else 0


def holds_any_role(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(p and p.roles)


def page(rule: Rule) -> Rule:
    """Pages send the anonymous visitor to the log-in page."""
    return lambda p: 302 if p == ANONYMOUS else rule(p)


def api(rule: Rule) -> Rule:
    """The API answers the anonymous caller 401."""
    return lambda p: 401 if p == ANONYMOUS else rule(p)


def needs(module: str, minimum: int = Role.VIEWER, ok: int = 200, refused: int = 403) -> Rule:
    return lambda p: ok if role(p, module) >= minimum else refused


def reference(ok: int = 200) -> Rule:
    return lambda p: ok if holds_any_role(p) else 403


def cleared(persona: str, level: int) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(p and p.clearance >= level)
