// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate audit report --policies P --log FILE... [--entities E] [--format text|json]`: reads
// audit logs (one JSON line per decision, as file_audit_sink writes them) back against the
// policies and prints the least-privilege report: text for people, one JSON line for tools.
//
// Exit codes, as for the other subcommands: 0 the report was printed; 1 some log line was
// malformed (each is named with its file and line on stderr, and the report covers the others);
// 2 the report could not be made (an unreadable log, policies or entities that do not load).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/audit.hpp"
#include "mandate/mandate.hpp"

namespace mandate::cli {
namespace {

constexpr int exit_success = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_cannot_run = 2;

struct report_settings {
  std::string policies_path;
  std::vector<std::string> log_paths;
  std::string entities_path;
  std::string grants_path;
  std::string format = "text";
};

std::optional<policy_set> load_policies(const std::string& path) {
  std::error_code ignored;
  auto result = [&]() -> expected<policy_set, std::vector<diagnostic>> {
    if (std::filesystem::is_directory(path, ignored)) return policy_set::load(path);
    std::optional<std::string> text = read_text(path);
    if (!text) return unexpected<std::vector<diagnostic>>({});
    return policy_set::compile(*text, path);
  }();
  if (!result) {
    print_diagnostics(result.error());
    return std::nullopt;
  }
  return std::move(*result);
}

std::optional<entity_store> load_entities(const std::string& path) {
  if (path.empty()) return entity_store{};
  std::optional<std::string> text = read_text(path);
  if (!text) return std::nullopt;
  auto entities = entity_store::from_json(*text, path);
  if (!entities) {
    print_diagnostics(entities.error());
    return std::nullopt;
  }
  return std::move(*entities);
}

enum class log_status { ok, malformed_lines, unreadable };

// Appends the records of one log. A malformed line is reported with its place and skipped, so
// one bad line does not hide what the rest of the trail shows.
log_status read_log(const std::string& path, std::vector<audit_record>& records) {
  file_handle file = open_input(path);
  if (!file) return log_status::unreadable;
  char* data = nullptr;
  std::size_t capacity = 0;
  std::size_t line_number = 0;
  bool malformed = false;
  errno = 0;
  for (ssize_t got = 0; (got = ::getline(&data, &capacity, file.get())) >= 0;) {
    ++line_number;
    std::string_view line(data, static_cast<std::size_t>(got));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto record = parse_audit_line(line);
    if (record) {
      records.push_back(std::move(*record));
    } else {
      print_input_error(path, "audit", record.error(), static_cast<std::uint32_t>(line_number), line);
      malformed = true;
    }
  }
  std::free(data);  // NOLINT: ::getline allocates with malloc
  if (std::ferror(file.get()) != 0) {
    print_read_error(path, errno != 0 ? errno : EIO);
    return log_status::unreadable;
  }
  return malformed ? log_status::malformed_lines : log_status::ok;
}

// Cedar's text form, `Type::"id"`, as people read entities in policies.
std::string entity_text(const entity_ref& e) {
  std::string id;
  for (char c : e.id) {
    if (c == '"' || c == '\\') id.push_back('\\');
    id.push_back(c);
  }
  return fmt::format("{}::\"{}\"", e.type, id);
}

std::string entity_list(const std::vector<entity_ref>& list) {
  std::string out;
  for (const entity_ref& e : list) out += (out.empty() ? "" : ", ") + entity_text(e);
  return out.empty() ? "nothing" : out;
}

void print_section_title(std::string_view title, std::size_t count) {
  if (count == 0) {
    fmt::print("{}: none\n", title);
  } else {
    fmt::print("{}: {}\n", title, count);
  }
}

void print_text_report(const least_privilege_report& report, std::size_t record_count, std::size_t log_count,
                       std::size_t other_set_count) {
  fmt::print("Least-privilege report over {} {} from {} {}", record_count,
             record_count == 1 ? "record" : "records", log_count, log_count == 1 ? "log" : "logs");
  // Records from another policy set were decided by other rules; the report still reads them
  // against these, which is what a review before tightening wants, but the reader should know.
  if (other_set_count > 0) fmt::print(" ({} decided by another version of the policies)", other_set_count);
  fmt::print("\n");
  print_section_title("Permits that never let a request through", report.unused_permits.size());
  for (const std::string& id : report.unused_permits) fmt::print("  {}\n", id);
  print_section_title("Agents allowed more than they used", report.agents.size());
  for (const auto& entry : report.agents) {
    fmt::print("  {}: unused {}; allowed {}; used {}\n", entity_text(entry.agent),
               entity_list(entry.excess_actions), entity_list(entry.allowed_actions),
               entity_list(entry.used_actions));
  }
  print_section_title("Grants never used for an allowed request", report.unused_grants.size());
  for (const std::string& id : report.unused_grants) fmt::print("  {}\n", id);
  print_section_title("Delegation chains deeper than needed", report.deep_chains.size());
  for (const auto& chain : report.deep_chains) {
    fmt::print("  {}: {} hops where {} would do\n", chain.decision_id, chain.depth, chain.needed);
  }
}

int run_report(const report_settings& settings) {
  std::optional<policy_set> policies = load_policies(settings.policies_path);
  if (!policies) return exit_cannot_run;
  std::optional<entity_store> entities = load_entities(settings.entities_path);
  if (!entities) return exit_cannot_run;
  std::vector<audit_record> records;
  bool malformed = false;
  for (const std::string& path : settings.log_paths) {
    const log_status status = read_log(path, records);
    // A report that silently leaves out a whole log would call used rights unused.
    if (status == log_status::unreadable) return exit_cannot_run;
    malformed = malformed || status == log_status::malformed_lines;
  }
  // Grants issued but never presented appear in no log: the grants file names them.
  std::vector<std::string> issued_grants;
  if (!settings.grants_path.empty()) {
    std::ifstream in(settings.grants_path, std::ios::binary);
    if (!in) {
      print_read_error(settings.grants_path, errno);
      return exit_cannot_run;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto store = mandate::in_memory_grant_store::from_json(text.str());
    if (!store) {
      print_input_error(settings.grants_path, "grants", store.error());
      return exit_cannot_run;
    }
    for (const mandate::grant& g : (*store)->select([](const mandate::grant&) { return true; }))
      issued_grants.push_back(g.id);
  }
  const least_privilege_report report =
      build_least_privilege_report(*policies, records, *entities, issued_grants);
  if (settings.format == "json") {
    fmt::print("{}\n", to_json(report));
  } else {
    std::size_t other_set_count = 0;
    for (const audit_record& r : records)
      other_set_count += r.policy_set_hash != policies->fingerprint() ? 1 : 0;
    print_text_report(report, records.size(), settings.log_paths.size(), other_set_count);
  }
  std::fflush(stdout);
  return malformed ? exit_bad_input : exit_success;
}

}  // namespace

command_runner add_audit_commands(CLI::App& app) {
  auto settings = std::make_shared<report_settings>();
  CLI::App* audit = app.add_subcommand("audit", "Read audit logs back against the policies");
  audit->require_subcommand(1);
  CLI::App* report = audit->add_subcommand(
      "report", "Least-privilege report: unused permits, agents' unused actions, unused grants, deep chains");
  report
      ->add_option("--policies", settings->policies_path,
                   "Policy file, or directory of *.cedar / *.mandate files")
      ->required()
      ->type_name("FILE|DIR");
  report->add_option("--log", settings->log_paths, "Audit logs, one JSON record per line; '-' reads stdin")
      ->required()
      ->type_name("FILE");
  report
      ->add_option("--entities", settings->entities_path,
                   "Cedar entity JSON: the action entities to check, and the hierarchy policies test")
      ->type_name("FILE");
  report
      ->add_option("--grants", settings->grants_path,
                   "Grants file: grants issued but never used are listed too")
      ->type_name("FILE");
  report->add_option("--format", settings->format, "text (for people) or json (one line, for tools)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return [report, settings]() -> std::optional<int> {
    if (!report->parsed()) return std::nullopt;
    return run_report(*settings);
  };
}

}  // namespace mandate::cli
