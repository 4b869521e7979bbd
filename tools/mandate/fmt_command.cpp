// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate fmt [--check | -w] FILES...`: the policy formatter (include/mandate/format.hpp) on
// the command line. FILES are files, directories (every *.cedar, *.mandate and *.dw under them,
// in sorted order) or `-` for stdin.
//
//   default     the formatted text on stdout
//   --check     nothing for a formatted file; `would reformat PATH` on stderr for each other
//   -w/--write  changed files rewritten in place (a temporary file beside each, renamed over
//               it, so a reader never sees half a file); `formatted PATH` on stderr for each
//
// Exit codes: 0 done (with --check: every file is formatted); 1 with --check, some file would
// be reformatted; 2 a file could not be read or written, or does not parse (its diagnostics
// are on stderr), or the command line is wrong.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/format.hpp"

namespace mandate::cli {

namespace {

namespace fs = std::filesystem;

constexpr int exit_success = 0;
constexpr int exit_would_reformat = 1;
constexpr int exit_cannot_run = 2;

struct fmt_settings {
  std::vector<std::string> paths;
  bool check = false;
  bool write = false;
  std::uint32_t line_width = 80;
  std::uint32_t indent = 2;
};

bool is_policy_file(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".cedar" || ext == ".mandate" || ext == ".dw";
}

// Expands directories into their policy files, sorted so the output order does not depend
// on the filesystem. Returns false when a directory could not be walked.
bool expand_paths(const std::vector<std::string>& args, std::vector<std::string>& files) {
  bool ok = true;
  for (const std::string& arg : args) {
    std::error_code error;
    if (arg == "-" || !fs::is_directory(arg, error)) {
      files.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(arg, error), end; !error && it != end; it.increment(error)) {
      if (it->is_regular_file(error) && is_policy_file(it->path())) found.push_back(it->path().string());
    }
    if (error) {
      print_error(fmt::format("cannot read '{}': {}", arg, error.message()));
      ok = false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return ok;
}

// Replaces `path` by `text` through a temporary file in the same directory, keeping the
// file's permissions.
bool write_atomically(const std::string& path, const std::string& text) {
  std::string temporary = (fs::path(path).parent_path() / ".mandate-fmt-XXXXXX").string();
  if (fs::path(path).parent_path().empty()) temporary = ".mandate-fmt-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    print_error(fmt::format("cannot write a temporary file beside '{}': {}", path, std::strerror(errno)));
    return false;
  }
  struct stat original {};
  if (::stat(path.c_str(), &original) == 0) ::fchmod(fd, original.st_mode & 07777);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool complete = written == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!complete) {
    print_error(fmt::format("cannot write '{}': {}", temporary, std::strerror(errno)));
    std::remove(temporary.c_str());
    return false;
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    print_error(fmt::format("cannot replace '{}': {}", path, error.message()));
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

int run_fmt(const fmt_settings& settings) {
  std::vector<std::string> files;
  bool failed = !expand_paths(settings.paths, files);
  bool would_change = false;
  const format_options options{settings.line_width, settings.indent};
  for (const std::string& path : files) {
    const std::optional<std::string> text = read_text(path);
    if (!text) {
      failed = true;
      continue;
    }
    auto formatted = format_policies(*text, path == "-" ? "<stdin>" : path, options);
    if (!formatted) {
      print_diagnostics(formatted.error());
      failed = true;
      continue;
    }
    const bool changed = *formatted != *text;
    if (settings.check) {
      if (changed) {
        std::fprintf(stderr, "would reformat %s\n", path.c_str());
        would_change = true;
      }
    } else if (settings.write && path != "-") {
      if (!changed) continue;
      if (!write_atomically(path, *formatted)) {
        failed = true;
        continue;
      }
      std::fprintf(stderr, "formatted %s\n", path.c_str());
    } else {
      std::fwrite(formatted->data(), 1, formatted->size(), stdout);
    }
  }
  std::fflush(stdout);
  if (failed) return exit_cannot_run;
  return would_change ? exit_would_reformat : exit_success;
}

}  // namespace

command_runner add_fmt_command(CLI::App& app) {
  auto args = std::make_shared<fmt_settings>();
  CLI::App* sub = app.add_subcommand("fmt", "Format policy files in one canonical layout");
  sub->footer(
      "FILES are policy files, directories (every *.cedar, *.mandate and *.dw under them, sorted)\n"
      "or - for stdin. Without --check or --write the formatted text goes to stdout. Formatting\n"
      "keeps every comment and changes only whitespace. --check prints `would reformat PATH` on\n"
      "stderr for each file that is not formatted; --write prints `formatted PATH` on stderr for\n"
      "each file it rewrites (- is written to stdout).\n"
      "Exit: 0 done (--check: all formatted), 1 --check found files to reformat, 2 a file could\n"
      "not be read or written or does not parse (diagnostics on stderr).");
  sub->add_option("FILES", args->paths, "Policy files or directories, or - for stdin")
      ->required()
      ->type_name("FILE|DIR|-");
  CLI::Option* check =
      sub->add_flag("--check", args->check, "Change nothing; exit 1 if any file would be reformatted");
  sub->add_flag("-w,--write", args->write, "Rewrite files in place")->excludes(check);
  sub->add_option("--line-width", args->line_width, "Break lines longer than this where possible")
      ->capture_default_str()
      ->check(CLI::Range(20, 1000));
  sub->add_option("--indent", args->indent, "Spaces per indentation level")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  return [sub, args]() -> std::optional<int> {
    if (!sub->parsed()) return std::nullopt;
    return run_fmt(*args);
  };
}

}  // namespace mandate::cli
