"""Which problem `code`s an operation can answer, read from its code paths.

The OpenAPI document enumerates, per operation and status, the codes a client must handle.
Writing them by hand goes stale; instead the source of the route's endpoint and of its
dependencies is read (``ast``) and followed through every function and method of the project
it calls, collecting what is raised:

- a domain error class (``raise NotFound(...)``, ``raise DateInFuture(...)``): its ``code``,
  at the status its category maps to (api/errors.py ``status_for``);
- ``ApiError(status, "code", ...)`` and ``problem(status, "code", ...)`` with literal values;
- a few transport exceptions the error handlers translate (``ProjectionLagging``).

Methods are followed by name (``x.release(...)`` follows every project method called
``release``), so the result may list a code an operation never reaches in practice, never
miss one it can. tests/api/test_openapi_contract.py checks the codes the test suite sees
against it.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from types import FunctionType, ModuleType
from typing import Any, get_args, get_origin, get_type_hints

from api.errors import ApiError, status_for
from events.projections.runner import ProjectionLagging
from registry.errors import DomainError

PROJECT = ("api", "kernel", "registry", "disposal", "events")
TRANSLATED: dict[type[Exception], tuple[int, str]] = {
    ProjectionLagging: (503, "projection_lagging"),
}
Codes = frozenset[tuple[int, str]]


def codes_of(calls: frozenset[Callable[..., Any]]) -> dict[int, set[str]]:
    """Status -> the codes the route answers with it, over every function it may run."""
    found: dict[int, set[str]] = defaultdict(set)
    for call in calls:
        for status, code in raised_by(call):
            found[status].add(code)
    return dict(found)


def raised_by(function: Callable[..., Any]) -> Codes:
    return _closure(_own(function))


def _own(function: Callable[..., Any]) -> Callable[..., Any]:
    """A classmethod's or staticmethod's function; a decorated function stays the wrapper
    (what it runs around the wrapped one counts too: ``_closure`` follows ``__wrapped__``)."""
    return getattr(function, "__func__", function)


def _closure(start: Callable[..., Any]) -> Codes:
    """What ``start`` and everything it calls raise (each function read once)."""
    seen: set[Callable[..., Any]] = set()
    pending = [start]
    codes: set[tuple[int, str]] = set()
    while pending:
        function = pending.pop()
        if function in seen:
            continue
        seen.add(function)
        direct, callees = _read(function)
        codes |= direct
        pending.extend(c for c in callees if c not in seen)
        if (wrapped := getattr(function, "__wrapped__", None)) is not None:
            pending.append(wrapped)
    return frozenset(codes)


@cache
def _read(function: Callable[..., Any]) -> tuple[Codes, tuple[Callable[..., Any], ...]]:
    tree = _tree(function)
    if tree is None:
        return frozenset(), ()
    scope = _globals(function)
    codes: set[tuple[int, str]] = set()
    callees: list[Callable[..., Any]] = []
    for node in (n for statement in tree for n in ast.walk(statement)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            codes |= _raised(node.exc, {**_class_parameters(function), **scope})
        elif isinstance(node, ast.Call):
            codes |= _literal_problem(node, scope)
            callees.extend(_callees(node.func, scope, _types(function)))
    return frozenset(codes), tuple(callees)


def _tree(function: Callable[..., Any]) -> list[ast.stmt] | None:
    """The function's body (its decorators are not what it runs)."""
    if not _in_project(function):
        return None
    try:  # the code object's own source: getsource(f) would show a wrapper's wrapped function
        parsed = ast.parse(textwrap.dedent(inspect.getsource(function.__code__)))
    except (OSError, TypeError, SyntaxError, AttributeError):
        return None
    definition = parsed.body[0] if parsed.body else None
    if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return definition.body
    return None


def _types(function: Callable[..., Any]) -> dict[str, type]:
    """The classes of the names a function calls methods on: ``self`` (the class it is
    defined in) and its parameters annotated with a class (``container: ContainerDep``)."""
    types: dict[str, type] = {}
    if (cls := _owner_class(function)) is not None:
        types["self"] = types["cls"] = cls
    for name, hint in _hints(function).items():
        if isinstance(hint, type):
            types[name] = hint
    return types


def _class_parameters(function: Callable[..., Any]) -> dict[str, Any]:
    """Parameters typed ``type[SomeError]`` (``raise before_error(...)``): each stands for
    the error class and every subclass of it."""
    try:
        hints = get_type_hints(function)
    except Exception:
        return {}
    return {
        name: ErrorFamily(get_args(hint)[0])
        for name, hint in hints.items()
        if get_origin(hint) is type and get_args(hint) and isinstance(get_args(hint)[0], type)
    }


class ErrorFamily:
    def __init__(self, base: type) -> None:
        self.base = base

    def members(self) -> list[type]:
        found, pending = [], [self.base]
        while pending:
            cls = pending.pop()
            found.append(cls)
            pending.extend(cls.__subclasses__())
        return found


def _hints(thing: Any) -> dict[str, Any]:
    try:
        hints = get_type_hints(thing)
    except Exception:  # an annotation this module cannot evaluate: no type known
        return {}
    return {name: get_origin(h) or h for name, h in hints.items()}


def _owner_class(function: Callable[..., Any]) -> type | None:
    """The class a method is defined in (``self.other(...)`` is that class's method)."""
    qualname = getattr(function, "__qualname__", "")
    owner: Any = inspect.getmodule(function)
    for part in qualname.split(".")[:-1]:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


def _in_project(thing: Any) -> bool:
    module = getattr(thing, "__module__", None) or ""
    return module.split(".")[0] in PROJECT


def _globals(function: Callable[..., Any]) -> dict[str, Any]:
    closure = inspect.getclosurevars(function) if isinstance(function, FunctionType) else None
    names = dict(getattr(function, "__globals__", {}))
    if closure is not None:
        names.update(closure.nonlocals)
    return names


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if isinstance(owner, ModuleType | type):
            return getattr(owner, node.attr, None)
    return None


def _raised(exc: ast.expr, scope: dict[str, Any]) -> set[tuple[int, str]]:
    target = _resolve(exc.func if isinstance(exc, ast.Call) else exc, scope)
    if isinstance(target, ErrorFamily):
        return {code for member in target.members() for code in _raised_class(member)}
    if isinstance(exc, ast.Call) and target is ApiError:
        return _literal_status_code(exc)
    return _raised_class(target) if isinstance(target, type) else set()


def _raised_class(target: type) -> set[tuple[int, str]]:
    if issubclass(target, DomainError):
        return {(status_for(target("")), target.code)} if _instantiable(target) else set()
    return {v for k, v in TRANSLATED.items() if issubclass(target, k)}


def _instantiable(cls: type[DomainError]) -> bool:
    try:
        cls("")
    except TypeError:
        return False
    return True


def _literal_problem(call: ast.Call, scope: dict[str, Any]) -> set[tuple[int, str]]:
    target = _resolve(call.func, scope)
    if getattr(target, "__name__", "") == "problem" and _in_project(target):
        return _literal_status_code(call)
    return set()


def _literal_status_code(call: ast.Call) -> set[tuple[int, str]]:
    args = call.args[:2]
    if len(args) == 2 and all(isinstance(a, ast.Constant) for a in args):
        status, code = (a.value for a in args)  # type: ignore[attr-defined]
        if isinstance(status, int) and isinstance(code, str):
            return {(status, code)}
    return set()


# Methods of the builtin containers: ``row.get(...)`` is never followed to a project ``get``.
BUILTIN_METHODS = frozenset(
    name for kind in (dict, list, set, str, bytes, tuple) for name in dir(kind)
)


def _callees(
    func: ast.expr, scope: dict[str, Any], types: dict[str, type]
) -> Iterator[Callable[..., Any]]:
    target = _resolve(func, scope)
    if isinstance(target, type) and _in_project(target):
        init = target.__dict__.get("__init__")
        if init is not None:
            yield init
    elif callable(target) and _in_project(target):
        yield _own(target)
    elif target is None and isinstance(func, ast.Attribute):
        yield from _method_calls(func, scope, types)


def _static_type(node: ast.expr, types: dict[str, type]) -> type | None:
    """``container.registry`` -> RegistryService, from annotations (None when unknown)."""
    if isinstance(node, ast.Name):
        return types.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _static_type(node.value, types)
        if owner is not None and _in_project(owner):
            hint = _hints(owner).get(node.attr)
            return hint if isinstance(hint, type) else None
    return None


def _method_calls(
    func: ast.Attribute, scope: dict[str, Any], types: dict[str, type]
) -> Iterator[Callable[..., Any]]:
    owner = func.value
    cls = _static_type(owner, types)
    if cls is not None:
        method = getattr(cls, func.attr, None)
        if method is not None and _in_project(method):
            yield _own(method)
            return
    known = _resolve(owner, scope) if isinstance(owner, ast.Name | ast.Attribute) else None
    if known is not None:  # an object of the module's, e.g. a logger: its own type's method
        method = getattr(type(known), func.attr, None)
        if method is not None and _in_project(method):
            yield _own(method)
        return
    if func.attr not in BUILTIN_METHODS:
        yield from methods_named(func.attr)


@cache
def methods_named(name: str) -> tuple[Callable[..., Any], ...]:
    """Every method of a project class called ``name`` (how ``obj.name(...)`` is followed)."""
    return tuple(
        _own(member)
        for cls in project_classes()
        for attr, member in vars(cls).items()
        if attr == name and inspect.isfunction(_own(member))
    )


@cache
def project_classes() -> tuple[type, ...]:
    import sys

    classes: dict[str, type] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or module_name.split(".")[0] not in PROJECT:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module_name:
                classes[f"{module_name}.{value.__qualname__}"] = value
    return tuple(classes.values())
