// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Subcommands that live in their own files. Each add_* function registers its subcommand(s)
// on `app` and returns what to run when one of them was chosen on the command line (it
// returns an exit code), or nothing when none was.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>

namespace mandate::cli {

/// Runs the chosen subcommand, if it is one of those registered by the same add_* call.
using command_runner = std::function<std::optional<int>()>;

/// `mandate grant issue|revoke|complete|list --grants FILE ...` (grant_commands.cpp).
command_runner add_grant_commands(CLI::App& app);
/// `mandate audit report --policies P --log FILE...` (audit_commands.cpp).
command_runner add_audit_commands(CLI::App& app);
/// `mandate replay --policies P [--schema S] [--event-schema E] [--macros M] TRACE` (replay_command.cpp).
command_runner add_replay_command(CLI::App& app);
/// `mandate test PATH... [--junit FILE]`: policy test files (test_command.cpp).
command_runner add_test_command(CLI::App& app);
/// `mandate lint FILES... [--schema S] [--config F] [--format text|json|sarif] [--fail-level L] | --list` (lint_command.cpp).
command_runner add_lint_command(CLI::App& app);
/// `mandate fmt [--check|-w] FILES...` (fmt_command.cpp).
command_runner add_fmt_command(CLI::App& app);
/// `mandate serve --policies P [--entities E] [--schema S] [--listen HOST:PORT] ...`: an AuthZEN
/// decision server (serve_command.cpp).
command_runner add_serve_command(CLI::App& app);

}  // namespace mandate::cli
