// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Input and messages shared by every subcommand of the `mandate` tool, so each says the same
// thing the same way: `mandate: error: cannot read 'x': No such file or directory`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mandate/diagnostic.hpp"

namespace mandate::cli {

using file_handle = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

/// Prints `mandate: error: MESSAGE` on stderr.
void print_error(std::string_view message);
/// Prints why `path` could not be read, from an errno value.
void print_read_error(const std::string& path, int error_number);
/// Opens `path` for reading, or stdin for "-". On failure prints the reason and returns null.
file_handle open_input(const std::string& path);
/// Reads a whole file ("-" is stdin). Prints the reason and returns nothing on failure.
std::optional<std::string> read_text(const std::string& path);
/// Renders diagnostics on stderr, like a compiler.
void print_diagnostics(std::span<const diagnostic> diagnostics);
/// Renders one complaint about an input file through the compiler's renderer: at `line`
/// (1-based, whose text is `line_text`) when given, else about the whole file.
void print_input_error(const std::string& file, std::string code, std::string message, std::uint32_t line = 0,
                       std::string_view line_text = {});

}  // namespace mandate::cli
