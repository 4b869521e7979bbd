// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate lint FILES... [--schema S] [--config F] [--format text|json|sarif] [--fail-level L]`
// and `mandate lint --list [--format json]`. Every FILE (or every *.cedar / *.mandate file
// under a directory) is linted together as one policy set.
//
// Exit codes: 0 no finding at or above --fail-level (default warning); 1 some finding is; 2 an
// input could not be read, the configuration or schema is bad, or the policies do not compile
// or type-check (their diagnostics are printed like findings).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/mandate.hpp"

namespace mandate::cli {

namespace {

namespace fs = std::filesystem;

constexpr int exit_clean = 0;
constexpr int exit_findings = 1;
constexpr int exit_cannot_run = 2;

struct lint_settings {
  std::vector<std::string> paths;
  std::string schema;
  std::string config;
  std::string format = "text";
  std::string fail_level = "warning";
  std::string max_window;
  bool list = false;
};

int list_rules(const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const lint_rule_info& r : lint_rules())
      out.push_back({{"id", r.id},
                     {"level", to_string(r.default_level)},
                     {"category", r.category},
                     {"summary", r.summary}});
    fmt::print("{}\n", out.dump(2));
    return exit_clean;
  }
  std::size_t id_width = 2;
  std::size_t category_width = 8;
  for (const lint_rule_info& r : lint_rules()) {
    id_width = std::max(id_width, r.id.size());
    category_width = std::max(category_width, r.category.size());
  }
  fmt::print("{:<{}}  {:<7}  {:<{}}  {}\n", "ID", id_width, "LEVEL", "CATEGORY", category_width, "SUMMARY");
  for (const lint_rule_info& r : lint_rules())
    fmt::print("{:<{}}  {:<7}  {:<{}}  {}\n", r.id, id_width, to_string(r.default_level), r.category,
               category_width, r.summary);
  return exit_clean;
}

bool is_policy_file(const fs::path& p) { return p.extension() == ".cedar" || p.extension() == ".mandate"; }

// Reads every input as load() would; false after printing why one could not be read.
bool read_sources(const std::vector<std::string>& paths, std::vector<policy_source>& out) {
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && is_policy_file(it->path())) files.push_back(it->path());
      if (ec) {
        print_error(fmt::format("cannot list directory '{}': {}", path, ec.message()));
        return false;
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        print_error(fmt::format("no *.cedar or *.mandate files in directory '{}'", path));
        return false;
      }
    } else {
      files.emplace_back(path);
    }
    for (const fs::path& file : files) {
      auto text = read_text(file.string());
      if (!text) return false;
      out.push_back({file.string(), std::move(*text)});
    }
  }
  return true;
}

std::optional<std::vector<std::pair<std::string, lint_level>>> read_config(const std::string& explicit_path) {
  std::string path = explicit_path;
  if (path.empty()) {
    std::error_code ec;
    if (!fs::exists(".mandate-lint.json", ec)) return std::vector<std::pair<std::string, lint_level>>{};
    path = ".mandate-lint.json";
  }
  auto text = read_text(path);
  if (!text) return std::nullopt;
  auto parsed = parse_lint_config(*text, path);
  if (!parsed) {
    print_diagnostics(parsed.error());
    return std::nullopt;
  }
  return std::move(*parsed);
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string summary(std::span<const diagnostic> found, std::size_t files) {
  std::size_t counts[3] = {0, 0, 0};
  for (const diagnostic& d : found) ++counts[static_cast<int>(d.level)];
  std::vector<std::string> parts;
  if (counts[0] != 0) parts.push_back(plural(counts[0], "error"));
  if (counts[1] != 0) parts.push_back(plural(counts[1], "warning"));
  if (counts[2] != 0) parts.push_back(plural(counts[2], "note"));
  std::string joined = parts.empty() ? "no findings" : fmt::format("{}", fmt::join(parts, ", "));
  return fmt::format("{} in {}", joined, plural(files, "file"));
}

int run_lint(const lint_settings& args) {
  if (args.list) return list_rules(args.format);
  if (args.paths.empty()) {
    print_error("lint needs FILES (or --list)");
    return exit_cannot_run;
  }
  auto levels = read_config(args.config);
  if (!levels) return exit_cannot_run;
  std::optional<schema> against;
  if (!args.schema.empty()) {
    auto loaded = schema::load(args.schema);
    if (!loaded) {
      print_diagnostics(loaded.error());
      return exit_cannot_run;
    }
    against = std::move(*loaded);
  }
  compile_options compile;
  if (!args.max_window.empty()) {
    const auto ms = parse_duration_ms(args.max_window);
    if (!ms || *ms <= 0) {
      print_error(
          fmt::format("--max-window: '{}' is not a positive duration like 24h, 14d or 90m", args.max_window));
      return exit_cannot_run;
    }
    compile.max_temporal_window_ms = *ms;
  }
  std::vector<policy_source> sources;
  if (!read_sources(args.paths, sources)) return exit_cannot_run;

  const std::vector<diagnostic> found = lint(sources, lint_options{.against = against ? &*against : nullptr,
                                                                   .levels = std::move(*levels),
                                                                   .compile = compile});

  if (args.format == "sarif") {
    fmt::print("{}", to_sarif(found));
  } else if (args.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const diagnostic& d : found)
      out.push_back({{"rule", d.code},
                     {"level", to_string(d.level)},
                     {"message", d.message},
                     {"file", d.where.file},
                     {"line", d.where.line},
                     {"column", d.where.column},
                     {"length", d.where.length}});
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("{}", render(found));
    fmt::print("{}\n", summary(found, sources.size()));
  }

  // A compiler or validator error (any code that is not a lint rule, and duplicate ids) means
  // the policies cannot be used at all, which is worse than a finding.
  const bool broken = std::any_of(found.begin(), found.end(), [](const diagnostic& d) {
    return d.level == severity::error && (find_lint_rule(d.code) == nullptr || d.code == "duplicate-id");
  });
  if (broken) return exit_cannot_run;
  if (args.fail_level == "none") return exit_clean;
  const severity threshold = args.fail_level == "error"     ? severity::error
                             : args.fail_level == "warning" ? severity::warning
                                                            : severity::note;
  const bool failed =
      std::any_of(found.begin(), found.end(), [&](const diagnostic& d) { return d.level <= threshold; });
  return failed ? exit_findings : exit_clean;
}

}  // namespace

command_runner add_lint_command(CLI::App& app) {
  auto args = std::make_shared<lint_settings>();
  CLI::App* sub =
      app.add_subcommand("lint", "Find policies that compile but are probably wrong, risky or slow");
  sub->footer(
      "Suppress a finding with `// mandate-lint: ignore RULE[, RULE...] -- why` on its line or in the\n"
      "comments directly above its policy; `// mandate-lint: ignore-file RULE` for a whole file.\n"
      "Configure levels in --config FILE (default: ./.mandate-lint.json when present):\n"
      "  {\"rules\": {\"missing-reason\": \"off\", \"permit-any-action\": \"error\"}}\n"
      "Exit: 0 clean, 1 a finding at or above --fail-level, 2 unreadable input, a bad config or schema,\n"
      "or policies that do not compile.");
  sub->add_option("FILES", args->paths, "Policy files or directories, linted together as one set")
      ->type_name("FILE|DIR");
  sub->add_option("--schema", args->schema,
                  "Validate against this schema too, and read its sensitivity levels")
      ->type_name("FILE");
  sub->add_option("--config", args->config, "Lint configuration (JSON)")->type_name("FILE");
  sub->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->default_str("text");
  sub->add_option("--fail-level", args->fail_level, "Exit 1 when a finding is at least this severe")
      ->check(CLI::IsMember({"error", "warning", "note", "none"}))
      ->default_str("warning");
  sub->add_option("--max-window", args->max_window,
                  "Longest window a temporal condition may use (default 24h)")
      ->type_name("DURATION");
  sub->add_flag("--list", args->list, "List the rules: id, default level, category, summary");
  return [sub, args]() -> std::optional<int> {
    if (!sub->parsed()) return std::nullopt;
    return run_lint(*args);
  };
}

}  // namespace mandate::cli
