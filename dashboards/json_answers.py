"""Dash's answers (callback results, the layout) written by orjson in one pass.

Dash writes every answer with ``plotly.io.json.to_json_plotly``. With orjson installed it first
tries ``orjson.dumps``, which fails on any Dash component, and then walks the whole answer in
Python (``clean_to_json_compatible``) before dumping it again: a page of KPI tiles spent about
a sixth of its callback's time there. :func:`to_json` gives orjson a ``default`` instead, so
components (and figures) become JSON in orjson's own walk (a component's properties read from
those set, not looked up one by one among all it could have), and answers the same text: the
characters plotly escapes for pages that embed the JSON (``<``, ``>``, ``/``, U+2028, U+2029)
are escaped the same way, NaN and infinities are ``null``.

:func:`install` makes Dash use it; Dash imports ``to_json`` by name into the modules that
write answers, so each of those names is replaced.
"""

from __future__ import annotations

from typing import Any

import dash._callback
import dash._utils
import dash.dash
import orjson
from _plotly_utils.optional_imports import get_module
from dash.development.base_component import Component
from plotly.io._json import clean_to_json_compatible

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
ESCAPED = {"<": "\\u003c", ">": "\\u003e", "/": "\\u002f", "\u2028": "\\u2028", "\u2029": "\\u2029"}
DASH_MODULES = (dash._utils, dash._callback, dash.dash)  # where Dash binds ``to_json``
PLAIN_COMPONENT = Component.to_plotly_json  # components that do not write themselves


def _component(component: Component) -> dict[str, Any]:
    """``Component.to_plotly_json`` without its ``hasattr`` of every property the component
    could have (an html element has about forty): the same keys in the same order, read from
    the properties set."""
    given = component.__dict__
    props = {name: given[name] for name in component._prop_names if name in given}
    wildcards = tuple(component._valid_wildcard_attributes)
    if wildcards:
        props.update({k: v for k, v in given.items() if k.startswith(wildcards)})
    return {"props": props, "type": component._type, "namespace": component._namespace}


def _plain(value: Any) -> Any:
    """What orjson cannot write itself: a component or figure as its JSON dict, anything
    else as plotly would clean it (dates, decimals, pandas objects, images)."""
    if isinstance(value, Component) and type(value).to_plotly_json is PLAIN_COMPONENT:
        return _component(value)
    to_plotly_json = getattr(value, "to_plotly_json", None)
    if to_plotly_json is not None:
        return to_plotly_json()
    modules = {
        name: get_module(module, should_load=False)
        for name, module in (("sage_all", "sage.all"), ("np", "numpy"), ("pd", "pandas"))
    } | {"image": get_module("PIL.Image", should_load=False)}
    cleaned = clean_to_json_compatible(
        value, numpy_allowed=True, datetime_allowed=True, modules=modules
    )
    if cleaned is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return cleaned


def to_json(value: Any) -> str:
    """``value`` as the JSON text Dash answers."""
    text = orjson.dumps(value, default=_plain, option=OPTIONS).decode("utf-8")
    for unsafe, safe in ESCAPED.items():
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text


def install() -> None:
    """Make Dash write its answers with :func:`to_json` (idempotent)."""
    for module in DASH_MODULES:
        module.to_json = to_json  # type: ignore[attr-defined]
