// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "cli_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace mandate::cli {

void print_error(std::string_view message) { fmt::print(stderr, "mandate: error: {}\n", message); }

void print_read_error(const std::string& path, int error_number) {
  print_error(fmt::format("cannot read '{}': {}", path, std::strerror(error_number)));
}

file_handle open_input(const std::string& path) {
  if (path == "-") return {stdin, [](std::FILE*) { return 0; }};
  errno = 0;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    print_read_error(path, errno != 0 ? errno : ENOENT);
    return {nullptr, [](std::FILE*) { return 0; }};
  }
  return {file, &std::fclose};
}

std::optional<std::string> read_text(const std::string& path) {
  file_handle file = open_input(path);
  if (!file) return std::nullopt;
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  // fopen succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get()) != 0) {
    print_read_error(path, errno != 0 ? errno : EIO);
    return std::nullopt;
  }
  return text;
}

void print_diagnostics(std::span<const diagnostic> diagnostics) {
  if (!diagnostics.empty()) std::fputs(render(diagnostics).c_str(), stderr);
}

void print_input_error(const std::string& file, std::string code, std::string message, std::uint32_t line,
                       std::string_view line_text) {
  diagnostic d = diagnostic_at(file, line_text, 0, line_text.size(), std::move(code), std::move(message));
  d.where.line = line;
  if (line == 0) {
    d.where.column = 0;
    d.source_line.clear();
  }
  std::fputs(render(d).c_str(), stderr);
}

}  // namespace mandate::cli
