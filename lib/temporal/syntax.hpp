// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Private to lib/temporal: temporal text as written, before macro expansion and variable
// numbering. Macro bodies and call arguments are trees of this kind; expansion copies them
// into one tree per block, which is then lowered to formula.hpp. Names are still strings here,
// because what a name means is only known once the macros around it are expanded.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ast/ast.hpp"
#include "mandate/diagnostic.hpp"
#include "temporal/formula.hpp"
#include "temporal/parse.hpp"

namespace mandate::detail::temporal::syntax {

/// `x`, `?x` (a macro parameter) or `$x` (a macro's fresh binder).
enum class sigil : std::uint8_t { none, param, fresh };

struct name_ref {
  sigil mark = sigil::none;
  std::string name;
  source_span span;
};

/// `(x: Long)` in `exists` or a `for` list.
struct binder {
  name_ref slot;
  std::string type;
  source_span span;
};

/// `within 1h` or `within ?w`; also a call argument `1h`.
struct window_spec {
  bool is_param = false;
  std::string param;
  std::int64_t ms = 0;
  std::string text;  // as written, for messages
  source_span span;
};

/// One `field.path: value` of a predicate or a refinement block.
struct field {
  std::vector<std::string> path;
  std::uint32_t value = 0;
  source_span span;
};

enum class form : std::uint8_t {
  // conditions
  conjunction,  // kids, in order (n-ary, folded left when lowered)
  negation,     // !kids[0]
  formerly,     // window, kids[0]
  previous,     // window, kids[0]
  since,        // kids[0] since window kids[1]
  exists,       // binders[0], kids[0]
  timepoint,    // tp(slot)
  comparison,   // kids[0] op kids[1]
  predicate,    // action, kind, fields
  refine,       // ?param{ fields }: slot is the parameter
  call,         // name(kids...)
  interval,     // a call argument `1h`: window
  expansion,    // the expanded body of macro `name`, called at `span`: kids[0]
  // terms
  constant,      // value
  context_path,  // context.a.b: path
  principal,     // principal[.a.b]: path
  resource,      // resource[.a.b]: path
  variable,      // slot
  wildcard,      // * or _
  array,         // [kids...]
  count,         // count for binders. where kids[0]
  sum,           // sum slot for binders. where kids[0]
};

struct node {
  form kind = form::conjunction;
  compare_op op = compare_op::equal;
  std::vector<std::uint32_t> kids;
  name_ref slot;
  std::vector<binder> binders;
  window_spec window;
  std::vector<field> fields;
  value constant;
  std::vector<symbol> path;
  entity_uid action;
  symbol kind_name = 0;
  std::string name;  // call and expansion: the macro
  source_span span;
};

/// True for the forms that denote a value rather than a condition.
[[nodiscard]] inline bool is_term_form(form f) noexcept { return f >= form::constant; }

/// Collects diagnostics for one call of the public functions: positions them, drops exact
/// repeats, and remembers whether any error was reported.
class reporter {
 public:
  reporter(const policy_set_ast& ast, std::vector<diagnostic>& out) : ast_(ast), out_(out) {}
  void error(source_span span, std::string message, const char* code = "temporal");
  [[nodiscard]] bool failed() const noexcept { return errors_ > 0; }
  /// Errors reported so far, repeats included.
  [[nodiscard]] std::size_t errors() const noexcept { return errors_; }
  [[nodiscard]] const policy_set_ast& ast() const noexcept { return ast_; }

 private:
  const policy_set_ast& ast_;
  std::vector<diagnostic>& out_;
  std::size_t errors_ = 0;
};

/// Parses `text` (a block or macro body; its first byte is at `where.begin` of file
/// `where.file`) into `nodes`, returning the root. Reports syntax errors and returns nullopt.
std::optional<std::uint32_t> parse_text(std::string_view text, source_span where, std::uint32_t max_depth,
                                        std::vector<node>& nodes, reporter& report);

/// A macro the expander can call: a user definition or one of the standard four.
struct macro_source {
  std::string_view name;
  std::span<const std::string_view> params;
  std::string_view body;  // the text between the braces
  source_span body_span;  // where the body is; file is out of range for a built-in
  bool builtin = false;
  bool is_temporal = true;
  std::size_t index = 0;  // among the user definitions, or among the built-ins
};

/// Expands every macro call under `root` (block text, so a `?param` or `$fresh` there is an
/// error) and returns the new root; nullopt after reporting an error.
std::optional<std::uint32_t> expand_block(std::uint32_t root, std::vector<node>& nodes,
                                          std::span<const macro_definition> macros,
                                          const temporal_options& options, reporter& report);

/// Parses a macro body and checks it: only declared parameters, no calls to macros.
std::optional<std::uint32_t> parse_macro_body(const macro_source& macro, std::vector<node>& nodes,
                                              const temporal_options& options, reporter& report);

/// The standard macros (Dogwood's DEFAULT_MACROS), by name; nullopt when `name` is not one.
[[nodiscard]] std::optional<macro_source> find_builtin_macro(std::string_view name) noexcept;

/// Words a macro may not be named (Dogwood's reserved set).
[[nodiscard]] bool is_reserved_macro_name(std::string_view name) noexcept;

/// 5'400'000 -> "90m", 3'600'000 -> "1h", 86'400'000 -> "24h", 172'800'000 -> "2d": the largest
/// unit that divides the window, days only from two on.
[[nodiscard]] std::string window_text(std::int64_t ms);

}  // namespace mandate::detail::temporal::syntax
