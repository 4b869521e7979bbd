// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The policy formatter (include/mandate/format.hpp): golden layouts in tests/data/format, and
// over every policy file we have (examples, test data, Cedar's and Dogwood's corpora) the
// properties that make a formatter safe to run on save: it is idempotent, it changes nothing
// but whitespace (same tokens, same comments in the same order), and the formatted policies
// decide every request as the original ones do.
//
// Goldens are `NAME.in.EXT` with the expected output in `NAME.out.EXT`. After a deliberate
// layout change, regenerate them with MANDATE_UPDATE_FORMAT_GOLDENS=1 and review the diff.
#include "mandate/format.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "format/tokens.hpp"
#include "mandate/mandate.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using mandate::format_options;
using mandate::format_policies;
using mandate::test_support::read_file;
namespace fmtx = mandate::detail::formatting;

std::vector<fmtx::token> lex_or_fail(std::string_view text) {
  std::vector<fmtx::token> tokens;
  fmtx::lex_error error;
  if (!fmtx::lex(text, tokens, error)) FAIL("lex failed at ", error.offset, ": ", error.message);
  return tokens;
}

// The token texts, comments apart from the rest.
struct token_texts {
  std::vector<std::string> code;
  std::vector<std::string> comments;
};

token_texts split_tokens(std::string_view text) {
  token_texts out;
  for (const auto& t : lex_or_fail(text))
    (t.kind == fmtx::token_kind::comment ? out.comments : out.code).emplace_back(t.text);
  return out;
}

std::string first_diagnostic(const std::vector<mandate::diagnostic>& ds) {
  return ds.empty() ? std::string("(no diagnostic)") : mandate::render(ds.front());
}

// Formats `text` and checks every property a formatted file must have. Returns the output,
// or nothing when the text does not parse (then there must be a diagnostic saying why).
std::optional<std::string> check_format(std::string_view text, const std::string& name,
                                        const format_options& options = {}) {
  auto formatted = format_policies(text, name, options);
  if (!formatted) {
    CHECK_MESSAGE(!formatted.error().empty(), name, ": refused without a diagnostic");
    CHECK_MESSAGE(formatted.error().front().code != "internal", name, ": ",
                  first_diagnostic(formatted.error()));
    return std::nullopt;
  }
  const std::string& out = *formatted;
  INFO(name);
  // Only whitespace changed: the same tokens and the same comments, in the same order.
  const token_texts before = split_tokens(text);
  const token_texts after = split_tokens(out);
  CHECK(before.code == after.code);
  CHECK(before.comments == after.comments);
  // Canonical text: LF only outside strings, one final newline, no blank runs or trailing blanks.
  if (!out.empty()) {
    CHECK(out.back() == '\n');
    CHECK(!out.ends_with("\n\n"));
    CHECK(out.front() != '\n');
  }
  CHECK(out.find("\n\n\n") == std::string::npos);
  if (text.find('"') == std::string_view::npos) {
    CHECK(out.find('\r') == std::string::npos);
    CHECK(out.find(" \n") == std::string::npos);
    CHECK(out.find('\t') == std::string::npos);
  }
  // Idempotent.
  auto again = format_policies(out, name, options);
  REQUIRE_MESSAGE(again.has_value(), "the formatted text does not parse: ", first_diagnostic(again.error()));
  CHECK(*again == out);
  return out;
}

std::vector<fs::path> files_under(const fs::path& root, std::initializer_list<std::string_view> extensions) {
  std::vector<fs::path> out;
  if (!fs::exists(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A scratch directory removed at the end of the test.
struct scratch_dir {
  fs::path path;
  explicit scratch_dir(std::string_view name)
      : path(fs::temp_directory_path() / fmt::format("mandate-{}-{:x}", name, std::random_device{}())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
};

}  // namespace

TEST_CASE("format: golden layouts in tests/data/format") {
  const fs::path dir = fs::path(MANDATE_TEST_DATA_DIR) / "format";
  const bool update = std::getenv("MANDATE_UPDATE_FORMAT_GOLDENS") != nullptr;
  std::size_t goldens = 0;
  for (const fs::path& input : files_under(dir, {".cedar", ".mandate", ".dw"})) {
    const std::string name = input.filename().string();
    const auto marker = name.find(".in.");
    if (marker == std::string::npos) continue;
    const fs::path expected_path = dir / (name.substr(0, marker) + ".out." + name.substr(marker + 4));
    INFO(name);
    const auto out = check_format(read_file(input), name);
    REQUIRE(out.has_value());
    if (update) std::ofstream(expected_path, std::ios::binary) << *out;
    REQUIRE_MESSAGE(fs::exists(expected_path), "missing golden ", expected_path.string());
    CHECK(*out == read_file(expected_path));
    // The golden output is itself formatted.
    CHECK(check_format(read_file(expected_path), expected_path.filename().string()) ==
          read_file(expected_path));
    ++goldens;
  }
  CHECK(goldens >= 8);
}

TEST_CASE("format: every example and test policy file is formatted safely") {
  std::size_t formatted = 0;
  std::size_t refused = 0;
  for (const fs::path& file :
       files_under(fs::path(MANDATE_SOURCE_DIR) / "examples", {".cedar", ".mandate", ".dw"})) {
    const auto out = check_format(read_file(file), file.string());
    CHECK_MESSAGE(out.has_value(), file.string(), " should format");
    // Narrow lines exercise every place a line may break.
    check_format(read_file(file), file.string(), {.line_width = 30, .indent = 4});
    ++formatted;
  }
  for (const fs::path& file : files_under(MANDATE_TEST_DATA_DIR, {".cedar", ".mandate", ".dw"})) {
    // tests/data/diagnostics holds deliberately broken files: they must be refused cleanly.
    if (check_format(read_file(file), file.string())) {
      check_format(read_file(file), file.string(), {.line_width = 30, .indent = 4});
      ++formatted;
    } else {
      ++refused;
    }
  }
  MESSAGE(formatted, " files formatted, ", refused, " refused (they do not parse)");
  CHECK(formatted >= 20);
}

TEST_CASE("format: formatted example policies compile to the same policy set") {
  for (const fs::path& file :
       files_under(fs::path(MANDATE_SOURCE_DIR) / "examples", {".cedar", ".mandate"})) {
    INFO(file.string());
    const std::string text = read_file(file);
    auto out = format_policies(text, file.string(), {.line_width = 30});
    REQUIRE(out.has_value());
    auto before = mandate::policy_set::compile(text, file.string());
    auto after = mandate::policy_set::compile(*out, file.string());
    REQUIRE(before.has_value() == after.has_value());
    if (!before) continue;
    REQUIRE(before->size() == after->size());
  }
}

namespace {

// Unpacks a tar.gz archive of Cedar's corpus into `into`.
bool unpack(const fs::path& archive, const fs::path& into) {
  return std::system(fmt::format("tar -xzf '{}' -C '{}'", archive.string(), into.string()).c_str()) == 0;
}

struct corpus_tally {
  std::size_t tests = 0;
  std::size_t requests = 0;
  std::size_t skipped = 0;  // the original does not load (the corpus has a few of those)
};

// One corpus test: format its policies (at the usual width and a narrow one), then compile the
// original and both formatted texts and compare the decisions on the test's requests.
void check_corpus_test(const fs::path& root, const fs::path& test_path, corpus_tally& tally) {
  const auto test = nlohmann::json::parse(read_file(test_path));
  const fs::path policies_path = root / test.at("policies").get<std::string>();
  const std::string text = read_file(policies_path);
  INFO(test_path.string());
  const auto wide = check_format(text, policies_path.string());
  const auto narrow = check_format(text, policies_path.string(), {.line_width = 24, .indent = 3});
  auto original = mandate::policy_set::compile(text, "policies.cedar");
  if (!original) {
    ++tally.skipped;
    return;
  }
  REQUIRE_MESSAGE(wide.has_value(), "a policy set that compiles must format");
  REQUIRE(narrow.has_value());
  auto formatted = mandate::policy_set::compile(*wide, "policies.cedar");
  auto squeezed = mandate::policy_set::compile(*narrow, "policies.cedar");
  REQUIRE_MESSAGE(formatted.has_value(), first_diagnostic(formatted.error()));
  REQUIRE_MESSAGE(squeezed.has_value(), first_diagnostic(squeezed.error()));
  auto schema = mandate::schema::load(root / test.at("schema").get<std::string>());
  if (!schema) {
    ++tally.skipped;
    return;
  }
  const fs::path entities_path = root / test.at("entities").get<std::string>();
  auto entities = mandate::entity_store::from_json(read_file(entities_path), entities_path.string(), *schema);
  if (!entities) {
    ++tally.skipped;
    return;
  }
  const mandate::evaluation_options cedar{.mode = mandate::eval_mode::cedar};
  auto summary = [](const mandate::decision& d) {
    std::string s(mandate::to_string(d.outcome));
    std::set<std::string> reasons(d.reasons.begin(), d.reasons.end());
    for (const auto& r : reasons) s += " +" + r;
    std::set<std::string> errors;
    for (const auto& e : d.errors) errors.insert(e.policy + ": " + e.message);
    for (const auto& e : errors) s += " !" + e;
    return s;
  };
  for (const auto& r : test.at("requests")) {
    auto req = mandate::request::from_json(r.dump(), *schema, r.value("validateRequest", false));
    if (!req) continue;
    const std::string want = summary(original->evaluate(*req, *entities, cedar));
    CHECK(summary(formatted->evaluate(*req, *entities, cedar)) == want);
    CHECK(summary(squeezed->evaluate(*req, *entities, cedar)) == want);
    ++tally.requests;
  }
  ++tally.tests;
}

}  // namespace

TEST_CASE("format: Cedar's corpus formats safely and decides every request as before") {
  const fs::path archives = fs::path(MANDATE_SHARED_DIR) / "conformance" / "cedar";
  if (!fs::exists(archives / "handwritten-tests.tar.gz") ||
      !fs::exists(archives / "corpus-tests-dev.tar.gz")) {
    MESSAGE("skipped: Cedar's corpus is not at ", archives.string(),
            " (it ships in ../shared beside the repository)");
    return;
  }
  scratch_dir work("format-corpus");
  corpus_tally tally;
  for (const char* archive : {"handwritten-tests.tar.gz", "corpus-tests-dev.tar.gz"}) {
    const fs::path root = work.path / archive;
    fs::create_directories(root);
    REQUIRE(unpack(archives / archive, root));
    for (const fs::path& p : files_under(root, {".json"})) {
      const std::string name = p.filename().string();
      if (name.ends_with(".entities.json") || p.string().find("sample-data") != std::string::npos) continue;
      check_corpus_test(root, p, tally);
    }
  }
  MESSAGE(tally.tests, " corpus tests, ", tally.requests, " requests decided alike; ", tally.skipped,
          " skipped (their policies, schema or entities do not load)");
  CHECK(tally.tests > 3000);
}

TEST_CASE("format: Dogwood's policy files format safely and compile as before") {
  const fs::path root = mandate::test_support::dogwood_corpus_root();
  if (!fs::exists(root)) {
    MESSAGE("skipped: Dogwood's corpus is not at ", root.string(),
            " (it ships in ../shared beside the repository)");
    return;
  }
  std::size_t formatted = 0;
  std::size_t refused = 0;
  for (const fs::path& file : files_under(root, {".dw"})) {
    const std::string text = read_file(file);
    const auto out = check_format(text, file.string());
    if (!out) {
      ++refused;
      continue;
    }
    const auto narrow = check_format(text, file.string(), {.line_width = 24, .indent = 4});
    REQUIRE(narrow.has_value());
    ++formatted;
    // Same verdict from the compiler, down to the diagnostic codes and messages (positions move).
    mandate::compile_options options;
    auto codes = [&](std::string_view t) {
      std::vector<std::string> out_codes;
      auto set = mandate::policy_set::compile(t, "p.dw", options);
      if (set) return out_codes;
      for (const auto& d : set.error()) out_codes.push_back(d.code + ": " + d.message);
      return out_codes;
    };
    INFO(file.string());
    const auto want = codes(text);
    CHECK(codes(*out) == want);
    CHECK(codes(*narrow) == want);
  }
  MESSAGE(formatted, " Dogwood files formatted, ", refused, " refused");
  CHECK(formatted >= 50);
}

TEST_CASE("format: comments stay where they were, in order") {
  const std::string text =
      "// header\n"
      "\n"
      "// about p1\n"
      "@id(\"p1\") // on the annotation\n"
      "permit (principal, action, resource) // after the scope\n"
      "when { context.a // after a\n"
      "  && context.b };\n"
      "// end\n";
  const auto out = check_format(text, "c.cedar");
  REQUIRE(out.has_value());
  CHECK(*out ==
        "// header\n"
        "\n"
        "// about p1\n"
        "@id(\"p1\") // on the annotation\n"
        "permit (\n"
        "  principal,\n"
        "  action,\n"
        "  resource\n"
        ") // after the scope\n"
        "when {\n"
        "  context.a // after a\n"
        "  && context.b\n"
        "};\n"
        "// end\n");
  // A file of only comments.
  CHECK(check_format("// one\n\n\n// two\r\n// three", "only.cedar") == "// one\n\n// two\n// three\n");
}

TEST_CASE("format: layout follows line_width and indent") {
  const std::string text =
      "permit (principal, action, resource) when { context.alpha && context.beta || context.gamma };";
  CHECK(check_format(text, "w.cedar") ==
        "permit (\n  principal,\n  action,\n  resource\n)\nwhen { context.alpha && context.beta || "
        "context.gamma };\n");
  CHECK(check_format(text, "w.cedar", {.line_width = 40, .indent = 4}) ==
        "permit (\n    principal,\n    action,\n    resource\n)\nwhen {\n"
        "    context.alpha && context.beta\n    || context.gamma\n};\n");
  CHECK(check_format(text, "w.cedar", {.line_width = 20, .indent = 2}) ==
        "permit (\n  principal,\n  action,\n  resource\n)\nwhen {\n"
        "  context.alpha\n    && context.beta\n  || context.gamma\n};\n");
}

TEST_CASE("format: hostile input") {
  SUBCASE("nested calls are laid out in linear work") {
    // Each call offers two layouts of its arguments; built twice instead of shared, 40 levels
    // would need 2^40 layout nodes and never finish (this test would time out).
    std::string nested;
    for (int i = 0; i < 40; ++i) nested += "context.s.contains(";
    nested += "context.x";
    for (int i = 0; i < 40; ++i) nested += ")";
    const auto out =
        check_format("permit (principal, action, resource) when { " + nested + " };", "nest.cedar");
    REQUIRE(out.has_value());
    CHECK(out->find("context.x") != std::string::npos);
    std::string ips;
    for (int i = 0; i < 30; ++i) ips += "ip(";
    ips += "context.x";
    for (int i = 0; i < 30; ++i) ips += ")";
    CHECK(check_format("permit (principal, action, resource) when { " + ips + ".isLoopback() };", "ip.cedar")
              .has_value());
  }
  SUBCASE("empty and blank files") {
    CHECK(check_format("", "e.cedar") == "");
    CHECK(check_format(" \n\t\r\n\n", "e.cedar") == "");
  }
  SUBCASE("CRLF, no final newline, a string holding `//`") {
    const auto out =
        check_format("permit(principal,action,resource)\r\nwhen{context.s==\"// x\"};", "crlf.cedar");
    CHECK(out == "permit (\n  principal,\n  action,\n  resource\n)\nwhen { context.s == \"// x\" };\n");
  }
  SUBCASE("a multi-line string is kept byte for byte") {
    const std::string text =
        "permit (principal, action, resource) when { context.s == \"a\r\n  b\\\"//c\" };\r\n";
    const auto out = check_format(text, "ml.cedar");
    REQUIRE(out.has_value());
    CHECK(out->find("\"a\r\n  b\\\"//c\"") != std::string::npos);
  }
  SUBCASE("text that does not parse is refused with the parser's diagnostic") {
    auto r = format_policies("permit (principal, action, resource) when { context.s == \"open };", "u.cedar");
    REQUIRE(!r.has_value());
    CHECK(r.error().front().where.file == "u.cedar");
    CHECK(r.error().front().where.line == 1);
    CHECK(render(r.error()).find("error[") != std::string::npos);
    auto missing = format_policies("permit (principal, action, resource)", "m.cedar");
    REQUIRE(!missing.has_value());
    CHECK(missing.error().front().code == "parse");
  }
  SUBCASE("non-ASCII whitespace between tokens") {
    auto r = format_policies("permit (principal,\xC2\xA0 action, resource);", "nb.cedar");
    REQUIRE(!r.has_value());
  }
  SUBCASE("a lexical error inside a temporal block is a diagnostic") {
    auto r = format_policies("permit (principal, action, resource)\nwhen temporal { # };", "t.mandate");
    REQUIRE(!r.has_value());
    CHECK(r.error().front().code == "parse");
    CHECK(r.error().front().where.line == 2);
    CHECK(r.error().front().message.find('#') != std::string::npos);
    auto paren = format_policies("permit (principal, action, resource) when temporal { (a };", "t.mandate");
    REQUIRE(!paren.has_value());
    CHECK(paren.error().front().message == "unmatched `}`: the `(` before it is never closed");
    auto byte =
        format_policies("permit (principal, action, resource) when temporal { \xE2\x80\x83 };", "t.mandate");
    REQUIRE(!byte.has_value());
    CHECK(byte.error().front().message.find("0xE2") != std::string::npos);
  }
  SUBCASE("deep nesting is a diagnostic, never a stack overflow") {
    const std::string cedar = "permit (principal, action, resource) when { " + std::string(20000, '(') +
                              "true" + std::string(20000, ')') + " };";
    CHECK(!format_policies(cedar, "deep.cedar").has_value());
    const std::string temporal = "permit (principal, action, resource) when temporal { " +
                                 std::string(20000, '(') + "x" + std::string(20000, ')') + " };";
    auto r = format_policies(temporal, "deep.mandate");
    REQUIRE(!r.has_value());
    CHECK(r.error().front().message.find("nested too deeply") != std::string::npos);
    // Within the limits, deep nesting formats.
    const std::string ok = "permit (principal, action, resource) when { " + std::string(100, '(') + "true" +
                           std::string(100, ')') + " };";
    CHECK(check_format(ok, "deep.cedar").has_value());
  }
  SUBCASE("a huge line formats in linear time") {
    std::string big = "permit (principal, action in [";
    for (int i = 0; i < 50000; ++i) big += fmt::format("Action::\"a{}\", ", i);
    big += "Action::\"last\"], resource) when { context.x == 1 && context.y == 2 };";
    const auto start = std::chrono::steady_clock::now();
    const auto out = check_format(big, "big.cedar");
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(out.has_value());
    CHECK(std::count(out->begin(), out->end(), '\n') > 50000);
    CHECK(seconds < 60);
  }
  SUBCASE("degenerate options") {
    const std::string text =
        "@id(\"a\") permit (principal, action in [Action::\"a\", Action::\"b\"], resource) "
        "when { context.a && (context.b || [1, {c: 2}].contains(3)) };";
    for (const format_options options :
         {format_options{0, 0}, format_options{1, 1}, format_options{10000, 8}}) {
      CAPTURE(options.line_width);
      CHECK(check_format(text, "o.cedar", options).has_value());
    }
  }
  SUBCASE("many policies") {
    std::string many;
    for (int i = 0; i < 3000; ++i) many += fmt::format("@id(\"p{}\") permit(principal,action,resource);", i);
    CHECK(check_format(many, "many.cedar").has_value());
  }
}
