# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""The package itself: what it exports, its typing markers and docstrings."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import mandate
from conftest import REPO, built_package_dir


def test_exports_exist_and_are_documented():
    for name in mandate.__all__:
        assert hasattr(mandate, name), name
        obj = getattr(mandate, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name} has no docstring"
    for cls in (mandate.PolicySet, mandate.Entities, mandate.Request, mandate.Decision, mandate.Engine,
                mandate.GrantStore, mandate.GrantAuthority, mandate.SessionManager, mandate.AuditLog):
        for attr, member in vars(cls).items():
            if attr.startswith("_"):
                continue
            if inspect.isfunction(member) or isinstance(member, (classmethod, property)):
                assert getattr(member, "__doc__", None), f"{cls.__name__}.{attr}"


def test_typing_markers_ship_with_the_package():
    pkg = built_package_dir()
    assert (pkg / "py.typed").exists()
    assert (pkg / "_mandate.pyi").exists()
    assert list(pkg.glob("_mandate*.so")) or list(pkg.glob("_mandate*.pyd"))
    hints = inspect.signature(mandate.PolicySet.evaluate)
    assert "explain" in hints.parameters and "mode" in hints.parameters and "now" in hints.parameters


def test_version():
    assert mandate.__version__.count(".") == 2


def test_tooling_is_exported_without_shadowing_builtins():
    for name in ("lint", "lint_files", "lint_rules", "LintReport", "format_policies", "format_file"):
        assert name in mandate.__all__ and callable(getattr(mandate, name))
    # `from mandate import *` must not replace the builtin `format`.
    assert "format" not in mandate.__all__


def test_pyproject_names_the_package():
    text = (REPO / "pyproject.toml").read_text()
    assert 'name = "mandate"' in text
    assert "bindings/python/mandate" in text


def test_import_in_a_fresh_interpreter():
    out = subprocess.run(
        [sys.executable, "-c", "import mandate, sys; print(mandate.__version__)"],
        capture_output=True,
        text=True,
        # Only the package's path, plus what a sanitizer run (scripts/sanitize.sh) needs to load
        # an instrumented extension into an uninstrumented interpreter.
        env={
            "PYTHONPATH": str(built_package_dir().parent),
            **{k: os.environ[k] for k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS") if k in os.environ},
        },
        check=True,
    )
    assert out.stdout.strip() == mandate.__version__
