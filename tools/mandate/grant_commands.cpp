// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate grant`: just-in-time grants kept in a JSON file (LANGUAGE.md 2.4).
//
//   mandate grant issue --grants FILE --policies P [--entities E] [--schema S] --principal E
//                       --agent E --task T --scope A [--scope A ...] --resource E --duration D
//                       [--parent G] [--now T]
//   mandate grant revoke --grants FILE (--grant ID | --agent E | --task T | --principal E) [--now T]
//   mandate grant complete --grants FILE --task T [--now T]
//   mandate grant list --grants FILE [--now T]
//
// Entities are written as in Cedar, `User::"alice"`; durations as `30s`, `15m`, `2h`, `1d` (or
// `1h30m`); times as RFC 3339. Exit codes: 0 success; 1 the grant was refused, or the grant to
// revoke is not in the file; 2 the command could not run (bad flags or values, unreadable or
// malformed files, policies that do not compile).
//
// Every command that changes the file holds an exclusive lock on FILE.lock from reading to
// writing, so a revocation running beside an issue can never be lost by the issue writing back
// what it read before; the file itself is replaced by a rename, so a reader sees the old
// grants or the new, never half of them.
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/grants.hpp"
#include "mandate/mandate.hpp"

namespace mandate::cli {
namespace {

constexpr int exit_success = 0;
constexpr int exit_refused = 1;
constexpr int exit_cannot_run = 2;

void print_line(const std::string& json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
}

// `Type::"id"` as Cedar writes an entity reference, with Cedar's string escapes in the id.
std::optional<entity_ref> parse_entity(std::string_view text) {
  const std::size_t quote = text.find('"');
  if (quote == std::string_view::npos || quote < 3 || text.substr(quote - 2, 2) != "::" ||
      text.size() < quote + 2 || text.back() != '"')
    return std::nullopt;
  entity_ref out;
  out.type = std::string(text.substr(0, quote - 2));
  // Identifiers joined by "::": letters, digits and underscores, not starting with a digit.
  std::string_view rest = out.type;
  for (;;) {
    const std::size_t separator = rest.find("::");
    const std::string_view word = rest.substr(0, separator);
    if (word.empty() || (word[0] >= '0' && word[0] <= '9')) return std::nullopt;
    for (const char c : word) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
        return std::nullopt;
    }
    if (separator == std::string_view::npos) break;
    rest.remove_prefix(separator + 2);
  }
  const std::string_view body = text.substr(quote + 1, text.size() - quote - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') return std::nullopt;  // an unescaped quote ends the id before the text does
    if (c == '\\') {
      if (++i == body.size()) return std::nullopt;
      switch (body[i]) {
        case '"':
          c = '"';
          break;
        case '\'':
          c = '\'';
          break;
        case '\\':
          c = '\\';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case '0':
          c = '\0';
          break;
        default:
          return std::nullopt;
      }
    }
    out.id.push_back(c);
  }
  return out;
}

// "30s", "15m", "2h", "1d", "500ms", or several of them in a row ("1h30m"), as milliseconds.
std::optional<std::int64_t> parse_duration(std::string_view text) {
  constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t pos = 0;
  if (text.empty()) return std::nullopt;
  while (pos < text.size()) {
    std::int64_t amount = 0;
    const std::size_t digits_start = pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      if (amount > (limit - 9) / 10) return std::nullopt;
      amount = amount * 10 + (text[pos] - '0');
    }
    if (pos == digits_start) return std::nullopt;
    std::int64_t unit = 0;
    if (text.substr(pos, 2) == "ms") {
      unit = 1;
      pos += 2;
    } else if (pos < text.size()) {
      switch (text[pos++]) {
        case 's':
          unit = 1000;
          break;
        case 'm':
          unit = 60'000;
          break;
        case 'h':
          unit = 3'600'000;
          break;
        case 'd':
          unit = 86'400'000;
          break;
        default:
          return std::nullopt;
      }
    } else {
      return std::nullopt;  // a bare number: seconds or minutes? Say which.
    }
    if (amount > (limit - total) / unit) return std::nullopt;
    total += amount * unit;
  }
  return total;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// Holds an exclusive lock on FILE.lock for as long as it lives.
class file_lock {
 public:
  explicit file_lock(const std::string& grants_path) {
    const std::string path = grants_path + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      print_error(fmt::format("cannot open lock file '{}': {}", path, std::strerror(errno)));
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      print_error(fmt::format("cannot lock '{}': {}", path, std::strerror(errno)));
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  ~file_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  [[nodiscard]] bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Loads the grants file; a missing file is an empty store only when `missing_is_empty`.
std::shared_ptr<in_memory_grant_store> load_grants(const std::string& path, bool missing_is_empty) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) {
    if (missing_is_empty) return std::make_shared<in_memory_grant_store>();
    print_error(fmt::format("cannot read '{}': no such file", path));
    return nullptr;
  }
  const std::optional<std::string> text = read_file(path);
  if (!text) {
    print_error(fmt::format("cannot read '{}'", path));
    return nullptr;
  }
  auto store = in_memory_grant_store::from_json(*text);
  if (!store) {
    print_input_error(path, "grants", store.error());
    return nullptr;
  }
  return std::move(*store);
}

// Writes the store beside the file and renames it into place: one grant per line, so the file
// reads as a history and a diff shows what changed.
bool save_grants(const std::string& path, const in_memory_grant_store& store) {
  const auto grants = nlohmann::ordered_json::parse(store.to_json());
  std::string text = "[";
  for (std::size_t i = 0; i < grants.size(); ++i) {
    text += i == 0 ? "\n" : ",\n";
    text += grants[i].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  text += "\n]\n";
  const std::string temporary = fmt::format("{}.tmp-{}", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      print_error(fmt::format("cannot write '{}'", temporary));
      std::remove(temporary.c_str());
      return false;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    print_error(fmt::format("cannot replace '{}': {}", path, error.message()));
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

// --now, or the system clock.
std::optional<clock_fn> clock_from(const std::string& now) {
  if (now.empty()) return clock_fn(system_time_ms);
  const std::optional<std::int64_t> at = parse_rfc3339(now);
  if (!at) {
    print_error(fmt::format("--now: '{}' is not an RFC 3339 date-time like 2026-11-28T18:00:00Z", now));
    return std::nullopt;
  }
  return clock_fn([ms = *at] { return ms; });
}

std::optional<entity_ref> entity_option(const char* flag, const std::string& text) {
  std::optional<entity_ref> parsed = parse_entity(text);
  if (!parsed)
    print_error(fmt::format(R"({}: '{}' is not an entity reference like User::"alice")", flag, text));
  return parsed;
}

struct issue_settings {
  std::string grants_path;
  std::string policies_path;
  std::string entities_path;
  std::string schema_path;
  std::string principal;
  std::string agent;
  std::string task;
  std::vector<std::string> scope;
  std::string resource;
  std::string duration;
  std::string parent;
  std::string now;
};

// Policies, schema and entities as `mandate eval` reads them: with a schema, the policies must
// type-check and the entities are read by it.
struct loaded_world {
  std::optional<policy_set> policies;
  std::optional<entity_store> entities;
};

loaded_world load_world(const issue_settings& settings) {
  std::optional<schema> types;
  if (!settings.schema_path.empty()) {
    auto loaded = schema::load(settings.schema_path);
    if (!loaded) {
      print_diagnostics(loaded.error());
      return {};
    }
    types = std::move(*loaded);
  }
  auto policies = policy_set::load(settings.policies_path);
  if (!policies) {
    print_diagnostics(policies.error());
    return {};
  }
  print_diagnostics(policies->warnings());
  if (types) {
    const std::vector<diagnostic> found = validate(*policies, *types);
    print_diagnostics(found);
    if (has_errors(found)) return {};
  }
  std::optional<entity_store> entities;
  if (settings.entities_path.empty()) {
    auto from_schema =
        types ? entity_store::from_json("[]", "<schema actions>", *types) : entity_store::from_json("[]");
    if (from_schema) entities = std::move(*from_schema);
  } else {
    auto loaded = types ? entity_store::load(settings.entities_path, *types)
                        : entity_store::load(settings.entities_path);
    if (!loaded) {
      print_diagnostics(loaded.error());
      return {};
    }
    entities = std::move(*loaded);
  }
  return {std::move(*policies), std::move(entities)};
}

std::string refusal_json(const grant_refusal& refusal) {
  nlohmann::ordered_json out;
  out["code"] = refusal.code;
  out["message"] = refusal.message;
  nlohmann::ordered_json denied = nlohmann::ordered_json::array();
  for (const entity_ref& action : refusal.denied_actions)
    denied.push_back({{"type", action.type}, {"id", action.id}});
  out["denied_actions"] = std::move(denied);
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int run_issue(const issue_settings& settings) {
  const std::optional<clock_fn> clock = clock_from(settings.now);
  if (!clock) return exit_cannot_run;
  grant_request asked;
  if (!settings.principal.empty()) {
    const auto principal = entity_option("--principal", settings.principal);
    if (!principal) return exit_cannot_run;
    asked.principal = *principal;
  }
  const auto agent = entity_option("--agent", settings.agent);
  const auto resource = entity_option("--resource", settings.resource);
  if (!agent || !resource) return exit_cannot_run;
  asked.agent = *agent;
  asked.resource = *resource;
  for (const std::string& text : settings.scope) {
    const auto action = entity_option("--scope", text);
    if (!action) return exit_cannot_run;
    asked.scope.push_back(*action);
  }
  const std::optional<std::int64_t> duration = parse_duration(settings.duration);
  if (!duration || *duration <= 0) {
    print_error(fmt::format("--duration: '{}' is not a duration like 30s, 15m, 2h or 1d", settings.duration));
    return exit_cannot_run;
  }
  asked.duration_ms = *duration;
  asked.task = settings.task;
  asked.parent_grant = settings.parent;

  const loaded_world world = load_world(settings);
  if (!world.policies || !world.entities) return exit_cannot_run;
  const file_lock lock(settings.grants_path);
  if (!lock.held()) return exit_cannot_run;
  const std::shared_ptr<in_memory_grant_store> store =
      load_grants(settings.grants_path, /*missing_is_empty=*/true);
  if (!store) return exit_cannot_run;
  grant_authority authority(store, *clock);
  auto issued = authority.issue(asked, *world.policies, *world.entities);
  if (!issued) {
    print_line(refusal_json(issued.error()));
    return exit_refused;
  }
  if (!save_grants(settings.grants_path, *store)) return exit_cannot_run;
  print_line(to_json(*issued));
  return exit_success;
}

struct revoke_settings {
  std::string grants_path;
  std::string grant_id;
  std::string agent;
  std::string task;
  std::string principal;
  std::string now;
};

// Revokes (or completes) under the file's lock and prints {"revoked": N}.
int run_revoke(const revoke_settings& settings, bool completes_task) {
  const std::optional<clock_fn> clock = clock_from(settings.now);
  if (!clock) return exit_cannot_run;
  std::optional<entity_ref> agent;
  std::optional<entity_ref> principal;
  if (!settings.agent.empty() && !(agent = entity_option("--agent", settings.agent))) return exit_cannot_run;
  if (!settings.principal.empty() && !(principal = entity_option("--principal", settings.principal)))
    return exit_cannot_run;

  const file_lock lock(settings.grants_path);
  if (!lock.held()) return exit_cannot_run;
  const std::shared_ptr<in_memory_grant_store> store =
      load_grants(settings.grants_path, /*missing_is_empty=*/false);
  if (!store) return exit_cannot_run;
  grant_authority authority(store, *clock);
  std::size_t revoked = 0;
  if (completes_task) {
    revoked = authority.complete_task(settings.task);
  } else if (!settings.grant_id.empty()) {
    if (!store->find(settings.grant_id)) {
      // Not idempotent success: a mistyped id would otherwise look like a revocation.
      print_error(fmt::format("no grant '{}' in '{}'", settings.grant_id, settings.grants_path));
      print_line(R"({"revoked":0})");
      return exit_refused;
    }
    revoked = authority.revoke_grant(settings.grant_id);
  } else if (agent) {
    revoked = authority.revoke_agent(*agent);
  } else if (principal) {
    revoked = authority.revoke_principal(*principal);
  } else {
    revoked = authority.revoke_task(settings.task);
  }
  if (revoked > 0 && !save_grants(settings.grants_path, *store)) return exit_cannot_run;
  print_line(fmt::format(R"({{"revoked":{}}})", revoked));
  return exit_success;
}

int run_list(const std::string& grants_path, const std::string& now) {
  const std::optional<clock_fn> clock = clock_from(now);
  if (!clock) return exit_cannot_run;
  const std::shared_ptr<in_memory_grant_store> store = load_grants(grants_path, /*missing_is_empty=*/false);
  if (!store) return exit_cannot_run;
  const grant_authority authority(store, *clock);
  for (const grant& g : store->select([](const grant&) { return true; })) {
    auto line = nlohmann::ordered_json::parse(to_json(g));
    const std::optional<grant_state> state = authority.state(g.id);
    line["state"] = state ? std::string(to_string(*state)) : "unknown";
    print_line(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  }
  return exit_success;
}

}  // namespace

command_runner add_grant_commands(CLI::App& app) {
  CLI::App* grant =
      app.add_subcommand("grant", "Issue, revoke and list just-in-time grants kept in a JSON file");
  grant->require_subcommand(1);
  const char* entity_type = "ENTITY";

  auto issue_args = std::make_shared<issue_settings>();
  CLI::App* issue = grant->add_subcommand(
      "issue", "Issue a grant if the policies allow every action of its scope; print it as one JSON line");
  issue->add_option("--grants", issue_args->grants_path, "Grants file (created if missing)")
      ->required()
      ->type_name("FILE");
  issue
      ->add_option("--policies", issue_args->policies_path,
                   "Policy file, or directory of *.cedar / *.mandate files")
      ->required()
      ->type_name("FILE|DIR");
  issue->add_option("--entities", issue_args->entities_path, "Cedar entity JSON file")->type_name("FILE");
  issue->add_option("--schema", issue_args->schema_path, "Cedar schema; policies must type-check against it")
      ->type_name("FILE");
  issue
      ->add_option("--principal", issue_args->principal,
                   "Who the agent acts for (with --parent: the parent's agent)")
      ->type_name(entity_type);
  issue->add_option("--agent", issue_args->agent, "The agent granted authority")
      ->required()
      ->type_name(entity_type);
  issue->add_option("--task", issue_args->task, "The task the grant serves; it ends when the task completes")
      ->required()
      ->type_name("TASK");
  issue->add_option("--scope", issue_args->scope, "An action or action group (repeat for more)")
      ->required()
      ->type_name("ACTION");
  issue->add_option("--resource", issue_args->resource, "The resource (and what is in it)")
      ->required()
      ->type_name(entity_type);
  issue->add_option("--duration", issue_args->duration, "How long at most, e.g. 30s, 15m, 2h, 1d")
      ->required()
      ->type_name("DURATION");
  issue->add_option("--parent", issue_args->parent, "Delegate further from this grant (a sub-agent)")
      ->type_name("GRANT");
  issue->add_option("--now", issue_args->now, "Issue at this time (RFC 3339) instead of the clock")
      ->type_name("TIME");

  auto revoke_args = std::make_shared<revoke_settings>();
  CLI::App* revoke = grant->add_subcommand("revoke", "Revoke grants, and every grant delegated from them");
  revoke->add_option("--grants", revoke_args->grants_path, "Grants file")->required()->type_name("FILE");
  CLI::Option_group* which = revoke->add_option_group("which", "What to revoke (exactly one)");
  which->add_option("--grant", revoke_args->grant_id, "A grant id")->type_name("GRANT");
  which->add_option("--agent", revoke_args->agent, "Every grant to this agent")->type_name(entity_type);
  which->add_option("--task", revoke_args->task, "Every grant of this task")->type_name("TASK");
  which->add_option("--principal", revoke_args->principal, "Every grant from this principal")
      ->type_name(entity_type);
  which->require_option(1);
  revoke->add_option("--now", revoke_args->now, "Revoke at this time (RFC 3339) instead of the clock")
      ->type_name("TIME");

  auto complete_args = std::make_shared<revoke_settings>();
  CLI::App* complete =
      grant->add_subcommand("complete", "Mark a task completed: every grant of it stops working");
  complete->add_option("--grants", complete_args->grants_path, "Grants file")->required()->type_name("FILE");
  complete->add_option("--task", complete_args->task, "The completed task")->required()->type_name("TASK");
  complete->add_option("--now", complete_args->now, "Complete at this time (RFC 3339) instead of the clock")
      ->type_name("TIME");

  auto list_grants = std::make_shared<std::string>();
  auto list_now = std::make_shared<std::string>();
  CLI::App* list = grant->add_subcommand("list", "Print every grant as one JSON line, with its state");
  list->add_option("--grants", *list_grants, "Grants file")->required()->type_name("FILE");
  list->add_option("--now", *list_now, "Report states at this time (RFC 3339) instead of the clock")
      ->type_name("TIME");

  return [=]() -> std::optional<int> {
    if (issue->parsed()) return run_issue(*issue_args);
    if (revoke->parsed()) return run_revoke(*revoke_args, /*completes_task=*/false);
    if (complete->parsed()) return run_revoke(*complete_args, /*completes_task=*/true);
    if (list->parsed()) return run_list(*list_grants, *list_now);
    return std::nullopt;
  };
}

}  // namespace mandate::cli
