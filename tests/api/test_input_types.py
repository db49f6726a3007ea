"""Every string a request can carry (body, query, path) is a SingleLine or a FreeText, so no
request can smuggle into the stores what they cannot keep (NUL, lone surrogates, controls).

The check walks the app's routes and request models: a new field or parameter typed as a
plain ``str`` fails it.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

import api.routers
from api.schemas.common import FREE_TEXT, SINGLE_LINE, Strict
from api.schemas.ip_rights import IPRightImportLine

SAFE = (SINGLE_LINE, FREE_TEXT)


def unsafe_strings(annotation: Any, metadata: list[Any], path: str) -> list[str]:
    """Paths of the string leaves of ``annotation`` not typed as safe text."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return unsafe_strings(base, [*metadata, *extra], path)
    if origin in (Union, types.UnionType):
        return [p for arg in get_args(annotation) for p in unsafe_strings(arg, metadata, path)]
    if origin is Literal:
        return []
    if origin in (list, set, frozenset, tuple, dict):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return [p for arg in args for p in unsafe_strings(arg, [], f"{path}[]")]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            p
            for name, field in annotation.model_fields.items()
            for p in unsafe_strings(field.annotation, list(field.metadata), f"{path}.{name}")
        ]
    if annotation is str:
        return [] if any(m in SAFE for m in metadata) else [path]
    if annotation in (Any, object):
        return [path]  # would take a string unchecked
    return []


def dependant_params(dependant: Dependant) -> list[Any]:
    """Path, query and body parameters of a route and of every dependency it uses."""
    own = [*dependant.path_params, *dependant.query_params, *dependant.body_params]
    return own + [p for sub in dependant.dependencies for p in dependant_params(sub)]


def route_inputs(route: APIRoute) -> list[tuple[str, Any, list[Any]]]:
    return [
        (f"{route.path} {p.name}", p.field_info.annotation, list(p.field_info.metadata))
        for p in dependant_params(route.dependant)
    ]


def all_routes() -> list[APIRoute]:
    """The routes of every router module in api.routers (each has a ``router``)."""
    modules = [
        importlib.import_module(f"api.routers.{m.name}")
        for m in pkgutil.iter_modules(api.routers.__path__)
    ]
    return [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]


def all_inputs() -> list[tuple[str, Any, list[Any]]]:
    routes = all_routes()
    inputs = [i for r in routes for i in route_inputs(r)]
    # The JSON Lines import reads its body itself, one IPRightImportLine per line.
    return [*inputs, ("/v1/ip-rights/import line", IPRightImportLine, [])]


def test_every_string_a_request_can_carry_is_typed_as_safe_text():
    inputs = all_inputs()

    unsafe = [
        p for name, annotation, meta in inputs for p in unsafe_strings(annotation, meta, name)
    ]

    assert unsafe == []


def test_the_walk_reaches_bodies_queries_paths_and_dependencies():
    names = {name for name, _, _ in all_inputs()}

    assert {
        "/v1/pledges body",
        "/v1/pledges cursor",
        "/v1/pledges min_position",
        "/v1/ip-rights/{kind}/{number} number",
    } <= names


def test_a_plain_string_anywhere_is_flagged():
    class Inner(Strict):
        note: str

    class Outer(Strict):
        items: list[Inner] | None = None
        tag: Annotated[str, "just a marker"]

    assert sorted(unsafe_strings(Outer, [], "body")) == ["body.items[].note", "body.tag"]
