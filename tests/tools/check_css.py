"""Fail on a stylesheet that does not parse cleanly (``make lint``).

CSS forgives: a block left open is closed by the end of the file, so one missing ``}``
silently moves every later rule inside the block (an unclosed ``@media`` makes them apply
only on narrow screens). This reports, with tinycss2, every parse error of a rule or a
declaration, a stray closing bracket, and a block, comment, string or URL the file never
closes. Usage: ``python -m tests.tools.check_css FILE_OR_FOLDER...`` (folders: ``*.css``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import tinycss2
from tinycss2 import ast

# at-rules whose block holds rules; the others (@font-face, @page...) hold declarations
RULE_BLOCKS = {"media", "supports", "layer", "container", "document", "scope", "starting-style"}
CLOSERS = {"{": "}", "[": "]", "(": ")"}


def problems(css: str) -> list[str]:
    """What is wrong with a stylesheet, as ``line:column: message``; empty when clean."""
    found = list(_unclosed(css))
    found += _errors(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def _unclosed(css: str) -> Iterator[str]:
    """tinycss2 closes at the end of the file whatever is still open, silently. Only the
    blocks holding the file's last token can be open at its end: each closed one makes the
    file end with its closer, so a file that does not end with all of them left one open."""
    tokens = tinycss2.parse_component_value_list(css)
    chain: list[Any] = []
    suffix = ""
    while tokens:
        last = tokens[-1]
        if isinstance(last, ast.Comment):
            suffix = "*/" + suffix
            break
        if isinstance(last, ast.FunctionBlock):
            chain.append(last)
            suffix = ")" + suffix
            tokens = last.arguments
        elif isinstance(last, (ast.CurlyBracketsBlock, ast.SquareBracketsBlock)):
            chain.append(last)
            suffix = ("}" if isinstance(last, ast.CurlyBracketsBlock) else "]") + suffix
            tokens = last.content
        elif isinstance(last, ast.ParenthesesBlock):
            chain.append(last)
            suffix = ")" + suffix
            tokens = last.content
        else:
            break
    if css.endswith(suffix):
        return
    if chain:
        block = chain[0]
        yield f"{block.source_line}:{block.source_column}: block opened here is never closed"
    else:
        yield "end of file: comment never closed (missing */)"


def _errors(nodes: Iterable[Any]) -> list[str]:
    found: list[str] = []
    for node in nodes:
        if isinstance(node, ast.ParseError):
            found.append(f"{node.source_line}:{node.source_column}: {node.message}")
        elif isinstance(node, ast.QualifiedRule):
            found += _errors(_contents(node.content))
        elif isinstance(node, ast.AtRule) and node.content is not None:
            if node.lower_at_keyword in RULE_BLOCKS:
                found += _errors(
                    tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
                )
            else:
                found += _errors(_contents(node.content))
        elif isinstance(node, ast.Declaration):
            found += [
                f"{t.source_line}:{t.source_column}: {t.message} (in {node.name})"
                for t in node.value
                if isinstance(t, ast.ParseError)
            ]
    return found


def _contents(content: list[Any]) -> list[Any]:
    return tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)


def stylesheets(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found += sorted(path.rglob("*.css")) if path.is_dir() else [path]
    return found


def main(argv: list[str]) -> int:
    files = stylesheets(argv or ["dashboards/assets"])
    failed = 0
    for path in files:
        for problem in problems(path.read_text(encoding="utf-8")):
            print(f"{path}:{problem}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"{failed} CSS problem(s) in {len(files)} stylesheet(s)", file=sys.stderr)
        return 1
    print(f"{len(files)} stylesheet(s) parse cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
