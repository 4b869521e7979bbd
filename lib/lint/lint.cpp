// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The linter's driver: compile, run every rule family over the AST, then apply suppressions
// and configured levels, and sort.
//
// Duplicate ids: the compiler rejects them (code `duplicate-id`), but they are the kind of
// mistake a linter run should report alongside everything else. So when duplicate ids are the
// compiler's only errors, the linter parses the sources itself (lib/parse) to get an AST, runs
// every rule on it, and reports the compiler's `duplicate-id` diagnostics as findings of the rule
// of that name. They stay errors whatever the configuration says and cannot be suppressed, since
// the set does not compile. Any other compile error is reported as is, with no findings.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "check/checker.hpp"
#include "lint/lint_internal.hpp"
#include "parse/parser.hpp"
#include "schema/schema_model.hpp"
#include "temporal/monitor.hpp"
#include "value/extensions.hpp"

namespace mandate {
namespace detail::lint {

severity to_severity(lint_level level) noexcept {
  switch (level) {
    case lint_level::error:
      return severity::error;
    case lint_level::warning:
      return severity::warning;
    default:
      return severity::note;
  }
}

void context::report(std::string_view rule, source_span span, std::string message) const {
  const lint_rule_info* info = find_lint_rule(rule);
  out->push_back(make_diagnostic(ast, span, std::string(rule), std::move(message),
                                 to_severity(info != nullptr ? info->default_level : lint_level::warning)));
}

// The planner's verdict, not a guess from the text: a leaf it cannot monitor is decided by the
// reference evaluator, correct but reading the whole window of history every time.
void check_temporal_monitors(const context& cx, const compiled_policy_set& set) {
  if (!set.monitors) return;
  const auto& leaves = set.temporal.leaves;
  for (std::uint32_t leaf = 0; leaf < leaves.size(); ++leaf) {
    if (leaf < set.monitors->monitored.size() && set.monitors->monitored[leaf]) continue;
    const std::int64_t window = leaves[leaf].horizon_ms;
    cx.report("unmonitored-temporal", leaves[leaf].span,
              fmt::format("in policy {}, `{}` has a shape no incremental monitor covers, so every decision "
                          "re-reads {} of the session's history for it: correct, but its cost grows with "
                          "the history",
                          cx.name(leaves[leaf].policy), excerpt(cx.ast, leaves[leaf].span),
                          window > 0 ? "up to " + detail::format_duration(window)
                                     : std::string("the latest events")));
  }
}

std::string context::where(std::uint32_t policy) const {
  const source_span s = ast.policies[policy].effect_span;
  if (s.file >= ast.files.size()) return "?";
  return ast.files[s.file].name + ":" + std::to_string(ast.files[s.file].line_of(s.begin));
}

namespace {

bool contains_sensitiv(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("sensitiv") != std::string::npos;
}

void prepare(context& cx, const schema* against) {
  const auto& ast = cx.ast;
  cx.ids.reserve(ast.policies.size());
  for (const policy& p : ast.policies) {
    const annotation* id = p.find_annotation("id");
    cx.ids.push_back(id != nullptr ? id->value : "policy" + std::to_string(p.position));
  }
  for (const level_type& declared : ast.level_types) {
    cx.levels.ordered_types.push_back(declared.type);
    for (std::uint32_t rank = 0; rank < declared.levels.size(); ++rank)
      cx.levels.rank[entity_uid{declared.type, declared.levels[rank]}.key()] = rank;
    if (contains_sensitiv(symbol_text(declared.type)))
      cx.sensitivity.push_back({declared.type, declared.levels});
  }
  if (against != nullptr) {
    for (const entity_type_info& t : against->internals().entity_types) {
      if (!t.enumerated || !contains_sensitiv(symbol_text(t.name))) continue;
      const bool declared = std::any_of(cx.sensitivity.begin(), cx.sensitivity.end(),
                                        [&](const sensitivity_scale& s) { return s.type == t.name; });
      if (!declared) cx.sensitivity.push_back({t.name, t.enum_ids});
    }
  }
  for (const expr& e : ast.exprs) {
    if (e.kind == expr_kind::get_attr && symbol_text(e.name) == "sensitivity" &&
        ast.at(e.a).kind == expr_kind::var_resource) {
      cx.reads_sensitivity = true;
      break;
    }
  }
}

bool is_optional_attribute_finding(const diagnostic& d) {
  return d.code == "type" && (d.message.find("` is optional in `") != std::string::npos ||
                              d.message.find("` is optional on `") != std::string::npos ||
                              d.message.find(" may be absent; guard it") != std::string::npos);
}

// Index of the policy whose text holds `offset` of file `file`, or -1.
class owner_finder {
 public:
  explicit owner_finder(const policy_set_ast& ast) : spans_(ast.files.size()) {
    for (std::uint32_t i = 0; i < ast.policies.size(); ++i) {
      const policy& p = ast.policies[i];
      if (p.span.file < spans_.size()) spans_[p.span.file].push_back({p.span.begin, p.span.end, i});
    }
    for (auto& s : spans_)
      std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  }
  std::int64_t find(std::uint32_t file, std::uint32_t offset) const {
    if (file >= spans_.size()) return -1;
    const auto& s = spans_[file];
    auto it = std::upper_bound(s.begin(), s.end(), offset,
                               [](std::uint32_t o, const entry& e) { return o < e.begin; });
    if (it == s.begin()) return -1;
    --it;
    return offset < it->end || offset == it->begin ? it->index : -1;
  }

 private:
  struct entry {
    std::uint32_t begin, end, index;
  };
  std::vector<std::vector<entry>> spans_;
};

}  // namespace
}  // namespace detail::lint

inline namespace v0 {

std::vector<diagnostic> lint(std::span<const policy_source> sources, const lint_options& options) {
  namespace dl = detail::lint;
  std::vector<diagnostic> out;
  auto compiled = policy_set::compile(sources, options.compile);

  // The AST the rules read: the compiled set's, or our own parse when only ids clash.
  std::unique_ptr<detail::policy_set_ast> own;
  const detail::policy_set_ast* ast = nullptr;
  std::vector<diagnostic> compiler;
  if (compiled) {
    ast = &compiled->internals().ast;
    compiler.assign(compiled->warnings().begin(), compiled->warnings().end());
  } else {
    compiler = compiled.error();
    const bool only_ids = std::all_of(compiler.begin(), compiler.end(), [](const diagnostic& d) {
      return d.level != severity::error || d.code == "duplicate-id";
    });
    if (!only_ids) {
      std::stable_sort(compiler.begin(), compiler.end(), [](const diagnostic& a, const diagnostic& b) {
        return std::tie(a.where.file, a.where.offset) < std::tie(b.where.file, b.where.offset);
      });
      return compiler;
    }
    own = std::make_unique<detail::policy_set_ast>();
    std::vector<diagnostic> ignored;  // the compiler already said everything
    const detail::parse_limits limits{options.compile.max_nesting_depth, options.compile.max_errors};
    for (const policy_source& s : sources) own->files.emplace_back(s.name, s.text);
    for (std::uint32_t f = 0; f < own->files.size(); ++f) detail::collect_macros(*own, f, limits, ignored);
    for (std::uint32_t f = 0; f < own->files.size(); ++f) detail::parse_policies(*own, f, limits, ignored);
    ast = own.get();
  }

  dl::context cx{*ast};
  cx.out = &out;
  dl::prepare(cx, options.against);
  dl::check_annotations(cx);
  dl::check_scopes(cx);
  dl::check_pairs(cx);
  dl::check_expressions(cx);
  dl::check_sensitivity(cx);

  if (compiled) dl::check_temporal_monitors(cx, compiled->internals());
  if (compiled && options.against != nullptr) {
    for (diagnostic d : validate(*compiled, *options.against)) {
      if (dl::is_optional_attribute_finding(d)) {
        d.code = "unguarded-optional-attribute";
        d.level = dl::to_severity(find_lint_rule(d.code)->default_level);
      }
      out.push_back(std::move(d));
    }
  }

  std::vector<dl::suppression> suppressions;
  dl::find_suppressions(*ast, suppressions, out);

  // Configured levels: later entries win.
  std::unordered_map<std::string, lint_level> levels;
  for (const auto& [id, level] : options.levels) levels[id] = level;
  std::unordered_map<std::string, std::uint32_t> file_index;
  for (std::uint32_t f = 0; f < ast->files.size(); ++f) file_index.emplace(ast->files[f].name, f);
  const dl::owner_finder owners(*ast);

  std::vector<diagnostic> kept;
  kept.reserve(out.size() + compiler.size());
  for (diagnostic& d : out) {
    const lint_rule_info* rule = find_lint_rule(d.code);
    if (rule != nullptr) {
      if (auto it = levels.find(d.code); it != levels.end()) {
        if (it->second == lint_level::off) continue;
        d.level = dl::to_severity(it->second);
      }
      auto f = file_index.find(d.where.file);
      if (f != file_index.end() && d.code != "unknown-rule" &&
          dl::is_suppressed(suppressions, f->second, d, owners.find(f->second, d.where.offset)))
        continue;
    }
    kept.push_back(std::move(d));
  }
  for (diagnostic& d : compiler) kept.push_back(std::move(d));  // duplicate-id stays an error, always

  std::stable_sort(kept.begin(), kept.end(), [&](const diagnostic& a, const diagnostic& b) {
    const auto fa = file_index.find(a.where.file);
    const auto fb = file_index.find(b.where.file);
    const std::uint32_t ia = fa == file_index.end() ? UINT32_MAX : fa->second;
    const std::uint32_t ib = fb == file_index.end() ? UINT32_MAX : fb->second;
    return std::tie(ia, a.where.offset, a.code) < std::tie(ib, b.where.offset, b.code);
  });
  return kept;
}

}  // namespace v0
}  // namespace mandate
