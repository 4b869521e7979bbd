// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate test PATH... [--junit FILE]`: runs policy test files (issue 7, part 4). A test file
// is JSON (YAML is not supported: no YAML library is among the tool's dependencies):
//
//   {"name": "...", "policies": ["dir-or-file", ...], "entities": "entities.json",
//    "schema": "schema.cedarschema", "now": "2026-11-28T14:00:00Z", "mode": "mandate"|"cedar",
//    "cases": [{"name": "...", "request": {...}, "expect": "allow"|"deny"|"require_approval",
//               "reasons": ["policy-id", ...], "errors": ["policy-id", ...]}]}
//
// Paths are relative to the test file. "entities", "schema", "now", "mode", "reasons" and
// "errors" are optional; "reasons" and "errors" compare as sets of policy ids. A PATH that is a
// directory runs every *.test.json under it, in sorted order.
//
// Exit codes: 0 every case passed; 1 some case failed; 2 a test file could not be read, was
// malformed, or its policies, schema or entities did not load.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/mandate.hpp"

namespace mandate::cli {

namespace {

namespace fs = std::filesystem;

constexpr int exit_success = 0;
constexpr int exit_failed = 1;
constexpr int exit_cannot_run = 2;

struct test_settings {
  std::vector<std::string> paths;
  std::string junit;
};

struct test_case {
  std::string name;
  std::string json_path;  // e.g. $.cases[2], for messages
  nlohmann::json request;
  verdict expect = verdict::deny;
  std::optional<std::vector<std::string>> reasons;
  std::optional<std::vector<std::string>> errors;
};

struct test_file {
  fs::path path;
  std::string name;
  std::vector<std::string> policies;
  std::string entities;
  std::string schema;
  std::optional<std::int64_t> now_ms;
  eval_mode mode = eval_mode::mandate;
  std::vector<test_case> cases;
};

// One case's outcome, for the summary and the JUnit report.
struct case_result {
  std::string name;
  bool passed = false;
  bool error = false;       // the case could not be run (its request is malformed)
  std::string message;      // why it failed
  std::string explanation;  // the decision explained, for a failure
  double seconds = 0;
};

struct suite_result {
  std::string name;
  std::string file;
  std::string load_error;  // set when the file could not be run at all
  std::vector<case_result> cases;
};

// A malformed test file: the message names the JSON path of the offending value.
struct shape_error {
  std::string path;
  std::string message;
};

std::string json_type(const nlohmann::json& j) { return j.type_name(); }

std::optional<shape_error> read_string_list(const nlohmann::json& j, const std::string& where,
                                            std::vector<std::string>& out) {
  if (!j.is_array()) return shape_error{where, "must be an array of strings, not " + json_type(j)};
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string())
      return shape_error{fmt::format("{}[{}]", where, i), "must be a string, not " + json_type(j[i])};
    out.push_back(j[i].get<std::string>());
  }
  return std::nullopt;
}

std::optional<shape_error> check_keys(const nlohmann::json& object, const std::string& where,
                                      std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (std::string_view a : allowed) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", a);
      return shape_error{where + "." + key, "unknown key (expected one of " + names + ")"};
    }
  }
  return std::nullopt;
}

std::optional<shape_error> read_case(const nlohmann::json& j, const std::string& where, test_case& out) {
  out.json_path = where;
  if (!j.is_object()) return shape_error{where, "a case must be an object, not " + json_type(j)};
  if (auto bad = check_keys(j, where, {"name", "description", "request", "expect", "reasons", "errors"}))
    return bad;
  const auto name = j.find("name");
  if (name == j.end() || !name->is_string() || name->get_ref<const std::string&>().empty())
    return shape_error{where + ".name", "every case needs a non-empty string \"name\""};
  out.name = name->get<std::string>();
  const auto req = j.find("request");
  if (req == j.end() || !req->is_object())
    return shape_error{where + ".request", "every case needs a \"request\" object"};
  out.request = *req;
  const auto expect = j.find("expect");
  const std::string expect_text = expect != j.end() && expect->is_string() ? expect->get<std::string>() : "";
  if (expect_text == "allow") {
    out.expect = verdict::allow;
  } else if (expect_text == "deny") {
    out.expect = verdict::deny;
  } else if (expect_text == "require_approval") {
    out.expect = verdict::require_approval;
  } else {
    return shape_error{where + ".expect", "must be \"allow\", \"deny\" or \"require_approval\""};
  }
  if (const auto it = j.find("reasons"); it != j.end()) {
    out.reasons.emplace();
    if (auto bad = read_string_list(*it, where + ".reasons", *out.reasons)) return bad;
  }
  if (const auto it = j.find("errors"); it != j.end()) {
    out.errors.emplace();
    if (auto bad = read_string_list(*it, where + ".errors", *out.errors)) return bad;
  }
  return std::nullopt;
}

std::optional<shape_error> read_test_file(const nlohmann::json& j, test_file& out) {
  if (!j.is_object()) return shape_error{"$", "a test file must be a JSON object, not " + json_type(j)};
  if (auto bad = check_keys(
          j, "$", {"name", "description", "policies", "entities", "schema", "now", "mode", "cases"}))
    return bad;
  out.name = out.path.filename().string();
  if (const auto it = j.find("name"); it != j.end()) {
    if (!it->is_string()) return shape_error{"$.name", "must be a string"};
    out.name = it->get<std::string>();
  }
  const auto policies = j.find("policies");
  if (policies == j.end()) return shape_error{"$.policies", "missing: list the policy files or directories"};
  if (policies->is_string()) {
    out.policies.push_back(policies->get<std::string>());
  } else if (auto bad = read_string_list(*policies, "$.policies", out.policies)) {
    return bad;
  }
  if (out.policies.empty()) return shape_error{"$.policies", "must name at least one file or directory"};
  for (const char* key : {"entities", "schema"}) {
    if (const auto it = j.find(key); it != j.end()) {
      if (!it->is_string()) return shape_error{fmt::format("$.{}", key), "must be a string (a path)"};
      (std::string_view(key) == "entities" ? out.entities : out.schema) = it->get<std::string>();
    }
  }
  if (const auto it = j.find("now"); it != j.end()) {
    if (it->is_string()) out.now_ms = parse_rfc3339(it->get<std::string>());
    if (!out.now_ms)
      return shape_error{"$.now", "must be an RFC 3339 date-time string, e.g. \"2026-11-28T14:00:00Z\""};
  }
  if (const auto it = j.find("mode"); it != j.end()) {
    const std::string mode = it->is_string() ? it->get<std::string>() : "";
    if (mode != "mandate" && mode != "cedar")
      return shape_error{"$.mode", "must be \"mandate\" or \"cedar\""};
    out.mode = mode == "cedar" ? eval_mode::cedar : eval_mode::mandate;
  }
  const auto cases = j.find("cases");
  if (cases == j.end() || !cases->is_array()) return shape_error{"$.cases", "must be an array of cases"};
  std::set<std::string> names;
  for (std::size_t i = 0; i < cases->size(); ++i) {
    test_case c;
    const std::string where = fmt::format("$.cases[{}]", i);
    if (auto bad = read_case((*cases)[i], where, c)) return bad;
    if (!names.insert(c.name).second)
      return shape_error{where + ".name", "duplicate case name '" + c.name + "'"};
    out.cases.push_back(std::move(c));
  }
  return std::nullopt;
}

// The files a --policies path stands for: the file, or every *.cedar / *.mandate under a directory.
std::vector<fs::path> policy_files(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_regular_file(ec) && (p.extension() == ".cedar" || p.extension() == ".mandate"))
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Everything a test file's cases are evaluated against.
struct fixture {
  std::optional<policy_set> policies;
  std::optional<schema> schema_;
  entity_store entities;
};

// Loads policies, schema and entities, printing diagnostics. Returns a one-line reason on failure.
std::optional<std::string> load_fixture(const test_file& file, fixture& out) {
  const fs::path base = file.path.parent_path();
  auto resolve = [&](const std::string& p) { return (base / p).lexically_normal().string(); };
  if (!file.schema.empty()) {
    const std::string path = resolve(file.schema);
    const auto text = read_text(path);
    if (!text) return "cannot read its schema";
    auto parsed = path.ends_with(".json") ? schema::parse_json(*text, path) : schema::parse(*text, path);
    if (!parsed) {
      print_diagnostics(parsed.error());
      return "its schema does not parse";
    }
    out.schema_ = std::move(*parsed);
  }
  std::vector<policy_source> sources;
  for (const std::string& p : file.policies) {
    const std::vector<fs::path> files = policy_files(resolve(p));
    if (files.empty()) return fmt::format("no *.cedar or *.mandate files under '{}'", resolve(p));
    for (const fs::path& f : files) {
      auto text = read_text(f.string());
      if (!text) return "cannot read its policies";
      sources.push_back({f.string(), std::move(*text)});
    }
  }
  auto compiled = policy_set::compile(sources);
  if (!compiled) {
    print_diagnostics(compiled.error());
    return "its policies do not compile";
  }
  out.policies = std::move(*compiled);
  if (out.schema_) {
    const std::vector<diagnostic> found = validate(*out.policies, *out.schema_);
    print_diagnostics(found);
    if (has_errors(found) && file.mode == eval_mode::mandate) return "its policies do not type-check";
  }
  if (!file.entities.empty() || out.schema_) {
    const std::string path = file.entities.empty() ? "<schema actions>" : resolve(file.entities);
    std::optional<std::string> text =
        file.entities.empty() ? std::optional<std::string>("[]") : read_text(path);
    if (!text) return "cannot read its entities";
    auto entities = out.schema_ ? entity_store::from_json(*text, path, *out.schema_)
                                : entity_store::from_json(*text, path);
    if (!entities) {
      print_diagnostics(entities.error());
      return "its entities do not load";
    }
    out.entities = std::move(*entities);
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string indent(const std::string& text, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    if (!line.empty()) out += std::string(prefix) + std::string(line);
    out += '\n';
    start = end + 1;
  }
  return out;
}

case_result run_case(const test_file& file, const fixture& fx, const test_case& c) {
  case_result result;
  result.name = c.name;
  const auto started = std::chrono::steady_clock::now();
  const std::string json = c.request.dump();
  auto req = fx.schema_ ? request::from_json(json, *fx.schema_, true) : request::from_json(json);
  if (!req) {
    result.error = true;
    result.message = fmt::format("{} {}.request: {}", file.path.string(), c.json_path, req.error());
    return result;
  }
  const evaluation_options options{.mode = file.mode, .now_ms = file.now_ms};
  decision d;
  decision_trace trace;
  fx.policies->evaluate(*req, fx.entities, d, trace, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::vector<std::string> problems;
  if (d.outcome != c.expect)
    problems.push_back(fmt::format("expected {}, got {} (reasons: {})", to_string(c.expect),
                                   to_string(d.outcome), join(d.reasons)));
  if (c.reasons && sorted(*c.reasons) != sorted(d.reasons))
    problems.push_back(fmt::format("expected reasons [{}], got [{}]", join(*c.reasons), join(d.reasons)));
  if (c.errors) {
    std::vector<std::string> erroring;
    for (const evaluation_error& e : d.errors) erroring.push_back(e.policy);
    if (sorted(*c.errors) != sorted(erroring))
      problems.push_back(fmt::format("expected errors from [{}], got [{}]", join(*c.errors), join(erroring)));
  }
  result.passed = problems.empty();
  if (!result.passed) {
    for (const std::string& p : problems) result.message += (result.message.empty() ? "" : "; ") + p;
    result.explanation = explain(d, trace);
  }
  return result;
}

// Test files named by the command line: files as given, directories searched for *.test.json.
std::vector<fs::path> collect(const std::vector<std::string>& paths, bool& ok) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.emplace_back(p);
      continue;
    }
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().filename().string().ends_with(".test.json"))
        found.push_back(it->path());
    }
    if (found.empty()) {
      print_error(fmt::format("no *.test.json files under '{}'", p));
      ok = false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// Runs one test file, printing its results. The suite's load_error is set when it cannot run.
suite_result run_file(const fs::path& path) {
  suite_result suite;
  suite.file = path.string();
  suite.name = path.string();
  // Every complaint about the test file itself goes through the compiler's renderer.
  auto fail_with = [&](const diagnostic& d) {
    print_diagnostics(std::span<const diagnostic>(&d, 1));
    suite.load_error = fmt::format("{}: {}", path.string(), d.message);
    fmt::print("ERROR {}\n", suite.load_error);
    return suite;
  };
  auto fail_load = [&](const std::string& message) {
    return fail_with(diagnostic_at_line(path.string(), {}, 0, 0, "test-file", message));
  };
  const std::optional<std::string> text = read_text(path.string());
  if (!text) return fail_load("cannot read the test file");
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
    // the position goes into the diagnostic, the rest is the message.
    std::string what = e.what();
    if (const auto at = what.find(": "); what.starts_with("[json.") && at != std::string::npos)
      what = what.substr(at + 2);
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return fail_with(diagnostic_at(path.string(), *text, offset, 1, "test-file", "not valid JSON: " + what));
  }
  test_file file;
  file.path = path;
  if (auto bad = read_test_file(document, file))
    return fail_load(fmt::format("{}: {}", bad->path, bad->message));
  suite.name = file.name;
  fixture fx;
  if (auto why = load_fixture(file, fx)) return fail_load(*why);

  fmt::print("{} ({})\n", file.name, path.string());
  for (const test_case& c : file.cases) {
    case_result r = run_case(file, fx, c);
    if (r.passed) {
      fmt::print("PASS {}\n", r.name);
    } else if (r.error) {
      fmt::print("ERROR {}: {}\n", r.name, r.message);
    } else {
      fmt::print("FAIL {}: {}\n{}", r.name, r.message, indent(r.explanation, "    "));
    }
    suite.cases.push_back(std::move(r));
  }
  return suite;
}

// Text for XML 1.0 character data and attribute values: markup escaped, and the control
// characters XML cannot carry at all replaced.
std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c < 0x20 || c == 0x7f ? '?' : ch;
    }
  }
  return out;
}

// The same for element content, where newlines stay as they are.
std::string xml_text(std::string_view text) {
  std::string out = xml_escape(text);
  std::string::size_type at = 0;
  while ((at = out.find("&#10;", at)) != std::string::npos) out.replace(at, 5, "\n");
  return out;
}

bool write_junit(const std::string& path, const std::vector<suite_result>& suites) {
  std::size_t tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  std::string body;
  for (const suite_result& s : suites) {
    std::size_t s_failures = 0, s_errors = s.load_error.empty() ? 0 : 1;
    double s_seconds = 0;
    std::string cases;
    if (!s.load_error.empty()) {
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"0\">\n", xml_escape("(load)"),
                           xml_escape(s.name));
      cases += fmt::format("      <error message=\"{}\"/>\n", xml_escape(s.load_error));
      cases += "    </testcase>\n";
    }
    for (const case_result& c : s.cases) {
      s_seconds += c.seconds;
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.6f}\"", xml_escape(c.name),
                           xml_escape(s.name), c.seconds);
      if (c.passed) {
        cases += "/>\n";
        continue;
      }
      if (c.error) {
        ++s_errors;
        cases += fmt::format(">\n      <error message=\"{}\"/>\n    </testcase>\n", xml_escape(c.message));
      } else {
        ++s_failures;
        cases +=
            fmt::format(">\n      <failure message=\"{}\" type=\"decision\">{}</failure>\n    </testcase>\n",
                        xml_escape(c.message), xml_text(c.explanation));
      }
    }
    const std::size_t s_tests = s.cases.size() + (s.load_error.empty() ? 0 : 1);
    body += fmt::format(
        "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
        "time=\"{:.6f}\">\n{}  </testsuite>\n",
        xml_escape(s.name), xml_escape(s.file), s_tests, s_failures, s_errors, s_seconds, cases);
    tests += s_tests;
    failures += s_failures;
    errors += s_errors;
    seconds += s_seconds;
  }
  const std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mandate test\" tests=\"{}\" "
      "failures=\"{}\" errors=\"{}\" time=\"{:.6f}\">\n{}</testsuites>\n",
      tests, failures, errors, seconds, body);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!out || std::fwrite(xml.data(), 1, xml.size(), out.get()) != xml.size()) {
    print_error(fmt::format("cannot write the JUnit report to '{}'", path));
    return false;
  }
  return true;
}

int run_test(const test_settings& args) {
  bool ok = true;
  const std::vector<fs::path> files = collect(args.paths, ok);
  std::vector<suite_result> suites;
  std::size_t passed = 0, failed = 0;
  bool unrunnable = !ok;
  for (const fs::path& f : files) {
    suite_result s = run_file(f);
    if (!s.load_error.empty()) unrunnable = true;
    for (const case_result& c : s.cases) {
      if (c.passed) {
        ++passed;
      } else {
        ++failed;
        if (c.error) unrunnable = true;
      }
    }
    suites.push_back(std::move(s));
  }
  fmt::print("{} passed, {} failed\n", passed, failed);
  std::fflush(stdout);
  if (!args.junit.empty() && !write_junit(args.junit, suites)) return exit_cannot_run;
  if (unrunnable) return exit_cannot_run;
  return failed > 0 ? exit_failed : exit_success;
}

}  // namespace

command_runner add_test_command(CLI::App& app) {
  auto args = std::make_shared<test_settings>();
  CLI::App* test =
      app.add_subcommand("test", "Run policy test files: cases of requests and the decisions expected");
  test->footer(
      "Test files are JSON (YAML is not supported):\n"
      "  {\"name\": \"...\", \"policies\": [\"dir-or-file\", ...], \"entities\": \"FILE\", \"schema\": "
      "\"FILE\",\n"
      "   \"now\": \"RFC 3339\", \"mode\": \"mandate|cedar\",\n"
      "   \"cases\": [{\"name\": \"...\", \"request\": {principal, action, resource, context, agent, "
      "delegation},\n"
      "              \"expect\": \"allow|deny|require_approval\", \"reasons\": [policy ids], \"errors\": "
      "[policy "
      "ids]}]}\n"
      "Paths are relative to the test file; only policies and cases are required. A directory runs\n"
      "every *.test.json under it. Exit: 0 all passed, 1 a case failed, 2 a test file could not run.");
  test->add_option("PATH", args->paths, "Test files (*.test.json) or directories of them")
      ->required()
      ->type_name("FILE|DIR");
  test->add_option("--junit", args->junit, "Also write a JUnit XML report to FILE")->type_name("FILE");
  return [test, args]() -> std::optional<int> {
    if (!test->parsed()) return std::nullopt;
    return run_test(*args);
  };
}

}  // namespace mandate::cli
