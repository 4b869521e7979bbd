// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Inline suppressions. Comments are not in the AST, so the source text is scanned for `//`
// outside string literals. A comment after code on its line suppresses findings on that line;
// a comment on a line of its own, in the run of comment lines directly above a policy (above
// its annotations), suppresses findings anywhere in that policy; `ignore-file` suppresses in the
// whole file.
#include <algorithm>
#include <cctype>

#include "lint/lint_internal.hpp"
#include "parse/parser.hpp"

namespace mandate::detail::lint {
namespace {

constexpr std::string_view marker = "mandate-lint:";

bool space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Parses the text after `//`; `at` is its offset in the file. Returns false when it is not a
// mandate-lint comment.
bool parse_comment(const policy_set_ast& ast, std::uint32_t file, std::string_view text, std::uint32_t at,
                   suppression& out, std::vector<diagnostic>& problems) {
  std::size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  if (text.substr(i, marker.size()) != marker) return false;
  i += marker.size();
  while (i < text.size() && space(text[i])) ++i;
  std::size_t word_end = i;
  while (word_end < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[word_end])) || text[word_end] == '-'))
    ++word_end;
  const std::string_view command = text.substr(i, word_end - i);
  const source_span command_span{file, at + static_cast<std::uint32_t>(i),
                                 at + static_cast<std::uint32_t>(word_end)};
  if (command != "ignore" && command != "ignore-file") {
    problems.push_back(
        make_diagnostic(ast, command_span, "unknown-rule",
                        "a mandate-lint comment takes `ignore RULE[, RULE...]` or `ignore-file "
                        "RULE[, RULE...]`",
                        severity::warning));
    return false;
  }
  out.line = command == "ignore" ? 1 : 0;  // the caller sets the real line
  i = word_end;
  // Rule names up to the end or a ` -- why`.
  while (i < text.size()) {
    while (i < text.size() && (space(text[i]) || text[i] == ',')) ++i;
    if (text.substr(i, 2) == "--") break;
    std::size_t end = i;
    while (end < text.size() && !space(text[end]) && text[end] != ',') ++end;
    if (end == i) break;
    const std::string_view rule = text.substr(i, end - i);
    if (find_lint_rule(rule) == nullptr)
      problems.push_back(make_diagnostic(
          ast, {file, at + static_cast<std::uint32_t>(i), at + static_cast<std::uint32_t>(end)},
          "unknown-rule",
          "`" + std::string(rule) +
              "` is not a lint rule, so this comment suppresses nothing (see `mandate lint --list`)",
          severity::warning));
    else
      out.rules.emplace_back(rule);
    i = end;
  }
  if (out.rules.empty() && problems.empty())
    problems.push_back(make_diagnostic(
        ast, command_span, "unknown-rule",
        "this comment names no rule, so it suppresses nothing; write `" + std::string(command) + " RULE`",
        severity::warning));
  return !out.rules.empty();
}

}  // namespace

void find_suppressions(const policy_set_ast& ast, std::vector<suppression>& found,
                       std::vector<diagnostic>& out) {
  for (std::uint32_t f = 0; f < ast.files.size(); ++f) {
    const source_file& file = ast.files[f];
    const std::string_view text = file.text;
    if (text.find(marker) == std::string_view::npos) continue;  // the common case: nothing to scan
    // The first line of each policy (its annotations included), to attach own-line comments.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> starts;  // line, policy index
    for (std::uint32_t p = 0; p < ast.policies.size(); ++p) {
      const policy& pol = ast.policies[p];
      if (pol.span.file != f) continue;
      std::uint32_t begin = pol.span.begin;
      for (const annotation& a : pol.annotations) begin = std::min(begin, a.span.begin);
      starts.emplace_back(file.line_of(begin), p);
    }
    std::sort(starts.begin(), starts.end());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        // Cedar strings may span lines: only the closing quote ends one (the text compiled, so
        // every string is closed), and a `//` inside it is text, not a comment.
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
        continue;
      }
      if (c == '"') {
        in_string = true;
        continue;
      }
      if (c != '/' || i + 1 >= text.size() || text[i + 1] != '/') continue;
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      const auto at = static_cast<std::uint32_t>(i + 2);
      suppression s;
      s.file = f;
      const bool ok = parse_comment(ast, f, text.substr(at, end - at), at, s, out);
      const std::uint32_t line = file.line_of(static_cast<std::uint32_t>(i));
      i = end;
      if (!ok) continue;
      if (s.line == 0) {
        found.push_back(std::move(s));
        continue;
      }
      s.line = line;
      const std::string_view before = file.line_text(line).substr(0, at - 2 - file.line_starts[line - 1]);
      const bool own_line = std::all_of(before.begin(), before.end(), [](char ch) { return space(ch); });
      if (own_line) {
        // Skip the rest of the comment block; the policy must start on the line after it.
        std::uint32_t next = line + 1;
        while (next <= file.line_starts.size()) {
          std::string_view t = file.line_text(next);
          while (!t.empty() && space(t.front())) t.remove_prefix(1);
          if (!t.starts_with("//")) break;
          ++next;
        }
        auto it = std::lower_bound(starts.begin(), starts.end(), std::pair{next, 0u});
        if (it != starts.end() && it->first == next) s.policy = static_cast<std::int64_t>(it->second);
      }
      found.push_back(std::move(s));
    }
  }
}

bool is_suppressed(const std::vector<suppression>& found, std::uint32_t file, const diagnostic& d,
                   std::int64_t owner) {
  for (const suppression& s : found) {
    if (s.file != file) continue;
    if (std::find(s.rules.begin(), s.rules.end(), d.code) == s.rules.end()) continue;
    if (s.line == 0 || s.line == d.where.line || (owner >= 0 && s.policy == owner)) return true;
  }
  return false;
}

}  // namespace mandate::detail::lint
