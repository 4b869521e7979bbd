// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate replay --policies FILE [--schema FILE] [--event-schema FILE] [--macros FILE] TRACE`:
// replays a Dogwood trace and prints one verdict line per decision event, in Dogwood's
// expected-output format (`@10 (time point 1): true`).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/mandate.hpp"
#include "mandate/replay.hpp"

namespace mandate::cli {

namespace {

constexpr int exit_success = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_cannot_run = 2;

struct replay_settings {
  std::vector<std::string> policies;
  std::string schema;
  std::string event_schema;
  std::string macros;
  std::string trace;
  bool validate = false;
};

int run_replay(const replay_settings& args) {
  trace_replay_options inputs;
  std::vector<std::filesystem::path> files;
  for (const auto& p : args.policies) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(p, ec))
        if (entry.path().extension() == ".dw" || entry.path().extension() == ".cedar" ||
            entry.path().extension() == ".mandate")
          files.push_back(entry.path());
    } else {
      files.emplace_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto text = read_text(f.string());
    if (!text) return exit_cannot_run;
    inputs.policies.push_back({f.string(), std::move(*text)});
  }
  auto optional_file = [](const std::string& path, std::string& text, std::string& name) {
    if (path.empty()) return true;
    auto read = read_text(path);
    if (!read) return false;
    text = std::move(*read);
    name = path;
    return true;
  };
  if (!optional_file(args.schema, inputs.cedar_schema, inputs.cedar_schema_name) ||
      !optional_file(args.event_schema, inputs.event_schema, inputs.event_schema_name) ||
      !optional_file(args.macros, inputs.macros, inputs.macros_name))
    return exit_cannot_run;
  inputs.validate = args.validate;
  const auto replayer = trace_replayer::prepare(inputs);
  if (!replayer) {
    print_diagnostics(replayer.error());
    return exit_bad_input;
  }
  auto trace = read_text(args.trace);
  if (!trace) return exit_cannot_run;
  const auto lines = replayer->replay(*trace, args.trace);
  if (!lines) {
    print_diagnostics(std::span<const diagnostic>(&lines.error(), 1));
    return exit_bad_input;
  }
  for (const auto& line : *lines) fmt::print("{}\n", line);
  return exit_success;
}

}  // namespace

command_runner add_replay_command(CLI::App& app) {
  auto args = std::make_shared<replay_settings>();
  CLI::App* replay =
      app.add_subcommand("replay", "Replay a Dogwood trace and print its verdicts in Dogwood's format");
  replay->add_option("--policies", args->policies, "Policy files (.dw, .cedar, .mandate) or directories")
      ->required()
      ->type_name("FILE|DIR");
  replay->add_option("--schema", args->schema, "Cedar schema (.cedarschema)")->type_name("FILE");
  replay
      ->add_option("--event-schema", args->event_schema,
                   "Event schema (.dwschema); default: request, response and error events")
      ->type_name("FILE");
  replay->add_option("--macros", args->macros, "Macro library (def temporal / def cedar)")->type_name("FILE");
  replay->add_flag("--validate", args->validate, "Also check predicates against the event schema");
  replay->add_option("TRACE", args->trace, "Trace (.log): one event per line")->required()->type_name("FILE");
  return [replay, args]() -> std::optional<int> {
    if (!replay->parsed()) return std::nullopt;
    return run_replay(*args);
  };
}

}  // namespace mandate::cli
