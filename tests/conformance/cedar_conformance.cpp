// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's own integration corpus, run through Mandate's public API in Cedar mode: for every
// request, the decision, the determining policies (`reason`) and the erroring policies
// (`errors`) must be Cedar's. The archives ship in ../shared/conformance/cedar beside the
// repository; they are unpacked into the build folder at test time.
//
//   mandate_cedar_conformance ARCHIVE_DIR WORK_DIR [--min-handwritten RATE] [--min-corpus RATE] [--show N]
//
// Prints one summary line per archive, `cedar-conformance NAME: N passed, M failed`, then the
// first failures with their test file. Exits 0 when both pass rates reach their minimum, 77
// (ctest's "skipped") when the archives are absent, 1 otherwise.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int exit_skipped = 77;

struct failure {
  std::string test_file;
  std::string description;
  std::string detail;
};

struct tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::vector<failure> failures;

  void fail(const std::string& file, const std::string& description, std::string detail) {
    ++failed;
    failures.push_back({file, description, std::move(detail)});
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string first_error(const std::vector<mandate::diagnostic>& ds) {
  return ds.empty() ? "(no diagnostic)" : mandate::render(ds.front());
}

std::set<std::string> as_set(const json& array) {
  std::set<std::string> out;
  for (const auto& item : array) out.insert(item.get<std::string>());
  return out;
}

std::string join(const std::set<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? ", " : "") + item;
  return out + "]";
}

// Runs one test file: every request of it passes or fails as a unit of the tally.
void run_test(const fs::path& root, const fs::path& test_path, tally& result, tally& validation) {
  const std::string test_name = fs::relative(test_path, root).string();
  json test;
  try {
    test = json::parse(read_file(test_path));
  } catch (const json::exception& e) {
    result.fail(test_name, "(test file)", std::string("unreadable test file: ") + e.what());
    return;
  }
  const auto& requests = test.at("requests");
  auto fail_all = [&](const std::string& why) {
    for (const auto& r : requests) result.fail(test_name, r.value("description", "?"), why);
  };

  auto schema = mandate::schema::load(root / test.at("schema").get<std::string>());
  if (!schema) return fail_all("schema: " + first_error(schema.error()));
  auto policies = mandate::policy_set::load(root / test.at("policies").get<std::string>());
  if (!policies) return fail_all("policies: " + first_error(policies.error()));
  // Validation against the schema must agree with Cedar's validator (`shouldValidate`).
  if (test.contains("shouldValidate")) {
    const auto findings = mandate::validate(*policies, *schema);
    const bool valid = !mandate::has_errors(findings);
    const bool want = test.at("shouldValidate").get<bool>();
    if (valid == want) {
      ++validation.passed;
    } else {
      validation.fail(test_name, "(validation)",
                      fmt::format("validates: {} (want {}){}", valid, want,
                                  findings.empty() ? std::string() : "\n      " + first_error(findings)));
    }
  }
  const fs::path entities_path = root / test.at("entities").get<std::string>();
  auto entities = mandate::entity_store::from_json(read_file(entities_path), entities_path.string(), *schema);
  if (!entities) return fail_all("entities: " + first_error(entities.error()));

  const mandate::evaluation_options cedar{.mode = mandate::eval_mode::cedar};
  for (const auto& r : requests) {
    const std::string description = r.value("description", "?");
    const bool validate = r.value("validateRequest", false);
    auto req = mandate::request::from_json(r.dump(), *schema, validate);
    if (!req) {
      result.fail(test_name, description, "request: " + req.error());
      continue;
    }
    const mandate::decision d = policies->evaluate(*req, *entities, cedar);
    const std::string decision(mandate::to_string(d.outcome));
    const std::set<std::string> reasons(d.reasons.begin(), d.reasons.end());
    std::set<std::string> errors;
    for (const auto& e : d.errors) errors.insert(e.policy);
    const std::string want_decision = r.at("decision").get<std::string>();
    const std::set<std::string> want_reasons = as_set(r.at("reason"));
    const std::set<std::string> want_errors = as_set(r.at("errors"));
    if (decision == want_decision && reasons == want_reasons && errors == want_errors) {
      ++result.passed;
      continue;
    }
    std::string detail =
        fmt::format("decision {} (want {}), reasons {} (want {}), errors {} (want {})", decision,
                    want_decision, join(reasons), join(want_reasons), join(errors), join(want_errors));
    for (const auto& e : d.errors) detail += fmt::format("\n      {}: {}", e.policy, e.message);
    result.fail(test_name, description, detail);
  }
}

// Unpacks `archive` into `into` once (a marker file records it).
bool unpack(const fs::path& archive, const fs::path& into) {
  const fs::path marker = into / ".unpacked";
  if (fs::exists(marker) && fs::last_write_time(marker) >= fs::last_write_time(archive)) return true;
  fs::remove_all(into);
  fs::create_directories(into);
  const std::string command = fmt::format("tar -xzf '{}' -C '{}'", archive.string(), into.string());
  if (std::system(command.c_str()) != 0) return false;
  std::ofstream(marker) << archive.string() << "\n";
  return true;
}

std::vector<fs::path> test_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const fs::path& p = entry.path();
    const std::string name = p.filename().string();
    if (!entry.is_regular_file() || p.extension() != ".json") continue;
    if (name.ends_with(".entities.json") || p.parent_path().filename() == "sample-data") continue;
    if (p.string().find("sample-data") != std::string::npos) continue;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double rate(const tally& t) {
  const std::size_t total = t.passed + t.failed;
  return total == 0 ? 0.0 : static_cast<double>(t.passed) / static_cast<double>(total);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} ARCHIVE_DIR WORK_DIR [--min-handwritten RATE] [--min-corpus RATE]\n",
               argv[0]);
    return 2;
  }
  const fs::path archives = argv[1];
  const fs::path work = argv[2];
  double min_handwritten = 1.0;
  double min_corpus = 0.995;
  // Issue 7 asks 99%; raised as the validator closes the gap, so a regression fails meanwhile.
  double min_validation = 0.995;
  std::size_t show = 15;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--min-handwritten") min_handwritten = std::atof(argv[i + 1]);
    if (flag == "--min-corpus") min_corpus = std::atof(argv[i + 1]);
    if (flag == "--min-validation") min_validation = std::atof(argv[i + 1]);
    if (flag == "--show") show = static_cast<std::size_t>(std::atol(argv[i + 1]));
  }
  const fs::path handwritten_archive = archives / "handwritten-tests.tar.gz";
  const fs::path corpus_archive = archives / "corpus-tests-dev.tar.gz";
  if (!fs::exists(handwritten_archive) || !fs::exists(corpus_archive)) {
    fmt::print(
        "cedar-conformance: skipped: Cedar's corpus is not at {} (it ships in ../shared beside the "
        "repository)\n",
        archives.string());
    return exit_skipped;
  }

  struct suite {
    const char* name;
    fs::path archive;
    double minimum;
    tally result;
    tally validation;
  };
  suite suites[] = {{"handwritten", handwritten_archive, min_handwritten, {}, {}},
                    {"corpus", corpus_archive, min_corpus, {}, {}}};
  bool ok = true;
  for (suite& s : suites) {
    const fs::path root = work / s.name;
    if (!unpack(s.archive, root)) {
      fmt::print(stderr, "cedar-conformance: cannot unpack {}\n", s.archive.string());
      return 1;
    }
    for (const fs::path& test : test_files(root)) run_test(root, test, s.result, s.validation);
    fmt::print("cedar-conformance {}: {} passed, {} failed ({:.2f}%, minimum {:.2f}%)\n", s.name,
               s.result.passed, s.result.failed, 100.0 * rate(s.result), 100.0 * s.minimum);
    const std::size_t shown = std::min<std::size_t>(s.result.failures.size(), show);
    for (std::size_t i = 0; i < shown; ++i) {
      const failure& f = s.result.failures[i];
      fmt::print("  FAIL {} ({}): {}\n", f.test_file, f.description, f.detail);
    }
    if (rate(s.result) + 1e-12 < s.minimum) ok = false;
    fmt::print(
        "cedar-validation {}: {} of {} tests validate as Cedar's validator says ({:.2f}%, minimum {:.2f}%)\n",
        s.name, s.validation.passed, s.validation.passed + s.validation.failed, 100.0 * rate(s.validation),
        100.0 * min_validation);
    const std::size_t shown_validation = std::min<std::size_t>(s.validation.failures.size(), show);
    for (std::size_t i = 0; i < shown_validation; ++i) {
      const failure& f = s.validation.failures[i];
      fmt::print("  VALIDATION {}: {}\n", f.test_file, f.detail);
    }
    if (rate(s.validation) + 1e-12 < min_validation) ok = false;
  }
  return ok ? 0 : 1;
}
