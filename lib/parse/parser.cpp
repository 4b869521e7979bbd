// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// PEGTL parse tree -> flat AST. PEGTL reports a syntax error by throwing; that stays inside
// this file and becomes a diagnostic. The parser works one policy at a time so that after
// an error it can skip to the next `;` and go on, reporting several errors per file.
#include "parse/parser.hpp"

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "mandate_grammar.hpp"
#include "value/extensions.hpp"

namespace mandate::grammar {

std::size_t& nesting_limit() noexcept {
  thread_local std::size_t limit = 128;
  return limit;
}

}  // namespace mandate::grammar

namespace mandate::detail {
namespace {

namespace peg = tao::pegtl;
namespace g = mandate::grammar;
using parse_node = peg::parse_tree::node;

// ---- error messages for the rules a `must` can fail on -----------------------------------

template <typename Rule>
constexpr const char* error_message = nullptr;
#define MANDATE_EXPECT(rule, text) \
  template <>                      \
  constexpr const char* error_message<rule> = text
MANDATE_EXPECT(g::effect, "expected `permit`, `forbid` or `require_approval`");
MANDATE_EXPECT(g::open_paren, "expected `(` after the effect");
MANDATE_EXPECT(g::close_paren, "expected `)`");
MANDATE_EXPECT(g::semicolon, "expected `;` at the end of the policy (or `when { ... }` / `unless { ... }`)");
MANDATE_EXPECT(g::comma, "expected `,` between the principal, action and resource constraints");
MANDATE_EXPECT(g::principal_scope, "expected `principal`");
MANDATE_EXPECT(g::action_scope, "expected `action`");
MANDATE_EXPECT(g::resource_scope, "expected `resource`");
MANDATE_EXPECT(peg::one<'"'>, "unterminated string literal");
MANDATE_EXPECT(g::close_bracket, "expected `]`");
MANDATE_EXPECT(g::close_brace, "expected `}`");
MANDATE_EXPECT(g::open_brace, "expected `{` after `when` or `unless`");
MANDATE_EXPECT(g::record_colon, "expected `:` after the record key");
MANDATE_EXPECT(g::nested<g::expr>, "expected an expression");
MANDATE_EXPECT(g::condition_body, "expected an expression");
MANDATE_EXPECT(g::add_expr, "expected an expression");
MANDATE_EXPECT(g::mul_expr, "expected an expression");
MANDATE_EXPECT(g::unary_expr, "expected an expression");
MANDATE_EXPECT(g::member_expr, "expected an expression");
MANDATE_EXPECT(g::relation, "expected an expression");
MANDATE_EXPECT(g::and_expr, "expected an expression");
MANDATE_EXPECT(g::then_kw, "expected `then`");
MANDATE_EXPECT(g::else_kw, "expected `else`");
MANDATE_EXPECT(g::lit_string, "expected a string literal");
MANDATE_EXPECT(g::pattern_lit, "expected a string pattern after `like`");
MANDATE_EXPECT(g::attr_name, "expected an attribute name");
MANDATE_EXPECT(g::annotation_key, "expected an annotation name after `@`");
MANDATE_EXPECT(g::type_path, "expected an entity type name");
MANDATE_EXPECT(g::level_list, "expected the levels, lowest first, as a list of strings: [\"low\", \"high\"]");
MANDATE_EXPECT(g::entity_ref, "expected an entity reference like `Type::\"id\"`");
MANDATE_EXPECT(g::entity_or_slot, "expected an entity reference like `Type::\"id\"` or a template slot");
using action_target = peg::sor<g::entity_list, g::entity_ref>;
using has_target = peg::sor<g::lit_string, g::has_path>;
MANDATE_EXPECT(action_target, "expected an action or a list of actions `[...]`");
MANDATE_EXPECT(has_target, "expected an attribute name after `has`");
MANDATE_EXPECT(g::reserved_attr_name,
               "a reserved word cannot follow `.`; write `[\"name\"]` to read an attribute with that name");
MANDATE_EXPECT(g::unknown_variable,
               "unknown variable: the variables are `principal`, `action`, `resource` and `context` "
               "(an entity reference looks like `Type::\"id\"`)");
MANDATE_EXPECT(g::single_equals, "`=` is not an operator; use `==` to compare");
MANDATE_EXPECT(g::chained_comparison, "comparisons cannot be chained; use parentheses and `&&`");
MANDATE_EXPECT(g::macro_kind, "expected `temporal` or `cedar` after `def`");
MANDATE_EXPECT(g::macro_name, "expected the macro's name");
MANDATE_EXPECT(g::macro_params, "expected the macro's parameters, like `(?a, ?b)`");
MANDATE_EXPECT(g::macro_body, "expected the macro's body");
MANDATE_EXPECT(g::temporal_body, "expected a temporal condition");
MANDATE_EXPECT(g::nested<g::raw_body>, "expected `}`");
MANDATE_EXPECT(g::raw_body, "expected `}`");
MANDATE_EXPECT(g::plain_condition, "expected `{` after `when` or `unless`");
using condition_clause = peg::sor<g::temporal_block, g::plain_condition>;
MANDATE_EXPECT(condition_clause, "expected `{` or `temporal {` after `when` or `unless`");
#undef MANDATE_EXPECT

// Where a syntax error is shown: where the parser stood, or just after the previous token
// (a missing `;` belongs to the line it is missing from, not to the next policy's first line).
enum class error_place : std::uint8_t { here, after_previous_token, opening_quote };

struct syntax_error : peg::parse_error {
  syntax_error(const std::string& message, const peg::position& at, const char* diagnostic_code,
               error_place where)
      : peg::parse_error(message, at), code(diagnostic_code), place(where) {}
  const char* code;
  error_place place;
};

template <typename Rule>
struct parser_control : peg::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    const peg::position at = in.position();
    if constexpr (std::is_same_v<Rule, g::nesting_too_deep>) {
      throw syntax_error(
          "expression nested too deeply (more than " + std::to_string(g::nesting_limit()) + " levels)", at,
          "nesting", error_place::here);
    } else if constexpr (std::is_same_v<Rule, g::semicolon>) {
      throw syntax_error(error_message<Rule>, at, "parse", error_place::after_previous_token);
    } else if constexpr (std::is_same_v<Rule, peg::one<'"'>>) {
      throw syntax_error(error_message<Rule>, at, "parse", error_place::opening_quote);
    } else if constexpr (error_message<Rule> != nullptr) {
      throw syntax_error(error_message<Rule>, at, "parse", error_place::here);
    } else {
      throw syntax_error("syntax error: expected " + std::string(peg::demangle<Rule>()), at, "parse",
                         error_place::here);
    }
  }
};

template <typename Rule>
using selector = peg::parse_tree::selector<
    Rule,
    peg::parse_tree::store_content::on<
        g::lit_true, g::lit_false, g::lit_int, g::lit_string, g::pattern_lit, g::slot_principal,
        g::slot_resource, g::var_principal, g::var_action, g::var_resource, g::var_context, g::entity_ref,
        g::type_path, g::path_segment, g::function_call, g::set_lit, g::record_lit, g::record_entry,
        g::attr_name, g::method_access, g::attr_access, g::index_access, g::op_not, g::op_negate,
        g::op_multiply, g::op_plus, g::op_minus, g::op_eq, g::op_ne, g::op_le, g::op_ge, g::op_lt, g::op_gt,
        g::op_in, g::comparison, g::has_test, g::like_test, g::is_test, g::is_in, g::if_expr, g::annotation,
        g::annotation_key, g::effect_permit, g::effect_forbid, g::effect_require_approval, g::principal_scope,
        g::action_scope, g::resource_scope, g::scope_eq, g::scope_in, g::scope_is, g::action_eq, g::action_in,
        g::entity_list, g::condition, g::cond_when, g::cond_unless, g::policy, g::level_declaration,
        g::temporal_block, g::temporal_body, g::macro_param, g::macro_declaration, g::macro_kind_temporal,
        g::macro_kind_cedar, g::macro_name, g::macro_body>,
    peg::parse_tree::fold_one::on<g::or_expr, g::and_expr, g::relation, g::add_expr, g::mul_expr,
                                  g::unary_expr, g::member_expr>>;

// ---- string literals ----------------------------------------------------------------------

bool hex_value(char c, std::uint32_t& v) noexcept {
  if (c >= '0' && c <= '9')
    v = static_cast<std::uint32_t>(c - '0');
  else if (c >= 'a' && c <= 'f')
    v = static_cast<std::uint32_t>(c - 'a' + 10);
  else if (c >= 'A' && c <= 'F')
    v = static_cast<std::uint32_t>(c - 'A' + 10);
  else
    return false;
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one escape starting after the backslash at body[i]; advances i past it.
// `star_ok` lets `\*` through (patterns). Returns false on a bad escape.
bool decode_escape(std::string_view body, std::size_t& i, std::string& out, std::string& error, bool star_ok,
                   bool& was_star) {
  was_star = false;
  const char c = body[i];
  switch (c) {
    case 'n':
      out += '\n';
      ++i;
      return true;
    case 'r':
      out += '\r';
      ++i;
      return true;
    case 't':
      out += '\t';
      ++i;
      return true;
    case '\\':
      out += '\\';
      ++i;
      return true;
    case '0':
      out += '\0';
      ++i;
      return true;
    case '\'':
      out += '\'';
      ++i;
      return true;
    case '"':
      out += '"';
      ++i;
      return true;
    case '*':
      if (!star_ok) break;
      was_star = true;
      ++i;
      return true;
    case 'x': {
      std::uint32_t hi = 0;
      std::uint32_t lo = 0;
      if (i + 2 < body.size() + 0 && hex_value(body[i + 1], hi) && hex_value(body[i + 2], lo) && hi <= 7) {
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
        return true;
      }
      error = "invalid escape `\\x`: expected two hex digits up to 7F";
      return false;
    }
    case 'u': {
      if (i + 1 < body.size() && body[i + 1] == '{') {
        std::size_t j = i + 2;
        std::uint32_t cp = 0;
        std::size_t digits = 0;
        std::uint32_t d = 0;
        // As in Rust, whose lexer Cedar's unescaping follows, `_` may separate digits
        // after the first: `\u{0_0_e}`.
        while (j < body.size() && digits < 7 && (hex_value(body[j], d) || (digits > 0 && body[j] == '_'))) {
          if (body[j] != '_') {
            cp = cp * 16 + d;
            ++digits;
          }
          ++j;
        }
        if (digits >= 1 && digits <= 6 && j < body.size() && body[j] == '}' && cp <= 0x10FFFF &&
            !(cp >= 0xD800 && cp <= 0xDFFF)) {
          append_utf8(out, cp);
          i = j + 1;
          return true;
        }
      }
      error = "invalid unicode escape: expected `\\u{...}` with 1 to 6 hex digits of a valid code point";
      return false;
    }
    default:
      break;
  }
  error = std::string("invalid escape `\\") + c + "`";
  return false;
}

}  // namespace

bool unescape_cedar(std::string_view body, std::string& out, std::string& error) {
  out.clear();
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size();) {
    if (body[i] != '\\') {
      out += body[i++];
      continue;
    }
    ++i;
    bool was_star = false;
    if (i >= body.size() || !decode_escape(body, i, out, error, false, was_star)) {
      if (error.empty()) error = "string ends in a lone backslash";
      return false;
    }
  }
  return true;
}

bool parse_like_pattern(std::string_view body, pattern& out, std::string& error) {
  out.clear();
  std::string run;
  auto flush = [&] {
    if (!run.empty()) out.push_back({false, std::move(run)});
    run.clear();
  };
  for (std::size_t i = 0; i < body.size();) {
    if (body[i] == '*') {
      flush();
      if (out.empty() || !out.back().wildcard) out.push_back({true, {}});
      ++i;
      continue;
    }
    if (body[i] != '\\') {
      run += body[i++];
      continue;
    }
    ++i;
    bool was_star = false;
    if (i >= body.size() || !decode_escape(body, i, run, error, true, was_star)) {
      if (error.empty()) error = "pattern ends in a lone backslash";
      return false;
    }
    if (was_star) run += '*';
  }
  flush();
  return true;
}

diagnostic make_diagnostic(const policy_set_ast& ast, source_span span, std::string code, std::string message,
                           severity level) {
  diagnostic d;
  d.code = std::move(code);
  d.level = level;
  d.message = std::move(message);
  if (span.file < ast.files.size()) {
    const source_file& file = ast.files[span.file];
    d.where.file = file.name;
    const auto begin = std::min<std::uint32_t>(span.begin, static_cast<std::uint32_t>(file.text.size()));
    d.where.line = file.line_of(begin);
    d.where.column = begin - file.line_starts[d.where.line - 1] + 1;
    d.where.offset = begin;
    d.where.length = std::max<std::uint32_t>(1, span.end > begin ? span.end - begin : 1);
    const std::string_view line = file.line_text(d.where.line);
    if (line.size() <= diagnostic::max_excerpt_bytes) d.source_line = std::string(line);
  }
  return d;
}

namespace {

constexpr int max_unary_operators = 4;  // Cedar's limit on chains like `!!!!x`

class tree_converter {
 public:
  tree_converter(policy_set_ast& ast, std::uint32_t file, std::uint32_t base, std::vector<diagnostic>& diags)
      : ast_(ast), file_(file), base_(base), diags_(diags) {}

  bool failed() const noexcept { return failed_; }

  // `ordered enum T ["a", "b"];`: children are the type path and the level strings.
  void convert_levels(const parse_node& n) {
    level_type levels;
    levels.type = intern(type_name(*n.children.at(0)));
    levels.span = span_of(n);
    for (const auto& existing : ast_.level_types)
      if (existing.type == levels.type)
        error(*n.children[0], "levels",
              "levels of `" + std::string(symbol_text(levels.type)) + "` are already declared");
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const symbol level = intern(string_literal(*n.children[i]));
      for (symbol seen : levels.levels)
        if (seen == level)
          error(*n.children[i], "levels", "level `" + std::string(symbol_text(level)) + "` is listed twice");
      levels.levels.push_back(level);
    }
    if (!failed_) ast_.level_types.push_back(std::move(levels));
  }

  // `def temporal|cedar name(?a, ...) { body };`: children are the kind, the name, the
  // parameters and the body.
  void convert_macro(const parse_node& n) {
    macro_declaration m;
    m.span = span_of(n);
    m.file = file_;
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::macro_kind_temporal>()) {
        m.is_temporal = true;
      } else if (c.is_type<g::macro_kind_cedar>()) {
        m.is_temporal = false;
      } else if (c.is_type<g::macro_name>()) {
        m.name = std::string(c.string_view());
      } else if (c.is_type<g::macro_param>()) {
        std::string param(c.string_view().substr(1));
        for (const auto& seen : m.params)
          if (seen == param) error(c, "macro", "parameter `?" + param + "` is listed twice");
        m.params.push_back(std::move(param));
      } else if (c.is_type<g::macro_body>()) {
        m.body_begin = span_of(c).begin;
        m.body_end = span_of(c).end;
      }
    }
    for (const auto& existing : ast_.macros)
      if (existing.name == m.name) error(n, "macro", "macro `" + m.name + "` is already defined");
    if (!failed_) ast_.macros.push_back(std::move(m));
  }

  void convert_policy(const parse_node& n, std::uint32_t position) {
    policy_position_ = position;
    policy p;
    p.position = position;
    p.span = span_of(n);
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::annotation>()) {
        annotation a;
        a.key = std::string(c.children.at(0)->string_view());
        if (c.children.size() > 1) a.value = string_literal(*c.children[1]);
        a.span = span_of(c);
        for (const auto& existing : p.annotations)
          if (existing.key == a.key) error(c, "annotation", "duplicate annotation `@" + a.key + "`");
        p.annotations.push_back(std::move(a));
      } else if (c.is_type<g::effect_permit>()) {
        p.kind = effect::permit;
        p.effect_span = span_of(c);
      } else if (c.is_type<g::effect_forbid>()) {
        p.kind = effect::forbid;
        p.effect_span = span_of(c);
      } else if (c.is_type<g::effect_require_approval>()) {
        p.kind = effect::require_approval;
        p.effect_span = span_of(c);
      } else if (c.is_type<g::principal_scope>()) {
        p.principal = scope(c, true);
      } else if (c.is_type<g::action_scope>()) {
        p.action = action_scope(c);
      } else if (c.is_type<g::resource_scope>()) {
        p.resource = scope(c, false);
      } else if (c.is_type<g::condition>()) {
        condition cond;
        cond.is_when = c.children.at(0)->is_type<g::cond_when>();
        cond.body = expression(*c.children.at(1));
        cond.span = span_of(c);
        p.conditions.push_back(cond);
      }
    }
    if (!failed_) ast_.policies.push_back(std::move(p));
  }

 private:
  source_span span_of(const parse_node& n) const {
    return {file_, base_ + static_cast<std::uint32_t>(n.begin().byte),
            base_ + static_cast<std::uint32_t>(n.end().byte)};
  }

  void error(const parse_node& n, const char* code, std::string message) {
    diags_.push_back(make_diagnostic(ast_, span_of(n), code, std::move(message)));
    failed_ = true;
  }

  expr_id add(expr e) {
    ast_.exprs.push_back(e);
    return static_cast<expr_id>(ast_.exprs.size() - 1);
  }

  expr_id add_literal(const parse_node& n, value v) {
    ast_.literals.push_back(v);
    expr e;
    e.kind = expr_kind::literal;
    e.name = static_cast<std::uint32_t>(ast_.literals.size() - 1);
    e.span = span_of(n);
    return add(e);
  }

  expr_id add_node(const parse_node& n, expr_kind kind, expr_id a = 0, expr_id b = 0, expr_id c = 0) {
    expr e;
    e.kind = kind;
    e.a = a;
    e.b = b;
    e.c = c;
    e.span = span_of(n);
    return add(e);
  }

  // A binary node spans from its left operand to its right one.
  expr_id add_binary(expr_kind kind, expr_id left, expr_id right) {
    expr e;
    e.kind = kind;
    e.a = left;
    e.b = right;
    e.span = ast_.exprs[left].span;
    e.span.end = ast_.exprs[right].span.end;
    return add(e);
  }

  std::string string_literal(const parse_node& n) {
    std::string_view raw = n.string_view();
    std::string_view body = raw.substr(1, raw.size() - 2);
    std::string out;
    std::string message;
    if (!unescape_cedar(body, out, message)) error(n, "string", message);
    return out;
  }

  std::string type_name(const parse_node& n) {
    std::string name;
    for (const auto& seg : n.children) {
      if (!name.empty()) name += "::";
      name += seg->string_view();
    }
    return name;
  }

  entity_uid entity(const parse_node& n) {
    // children: type_path, lit_string
    return {intern(type_name(*n.children.at(0))), intern(string_literal(*n.children.at(1)))};
  }

  // The entity or slot child of a scope_eq / scope_in node.
  void scope_target(const parse_node& n, scope_constraint& out, bool principal) {
    for (const auto& child : n.children) {
      if (child->is_type<g::entity_ref>()) {
        out.entity = entity(*child);
      } else if (child->is_type<g::slot_principal>() || child->is_type<g::slot_resource>()) {
        const bool is_principal_slot = child->is_type<g::slot_principal>();
        if (is_principal_slot != principal)
          error(*child, "slot",
                principal ? "only `?principal` may appear in the principal constraint"
                          : "only `?resource` may appear in the resource constraint");
        out.slot = true;
      }
    }
  }

  scope_constraint scope(const parse_node& n, bool principal) {
    scope_constraint out;
    out.span = span_of(n);
    if (n.children.empty()) return out;
    const parse_node& c = *n.children[0];
    if (c.is_type<g::scope_eq>()) {
      out.op = scope_op::equal;
      scope_target(c, out, principal);
    } else if (c.is_type<g::scope_in>()) {
      out.op = scope_op::in;
      scope_target(c, out, principal);
    } else if (c.is_type<g::scope_is>()) {
      out.op = scope_op::is;
      out.type = intern(type_name(*c.children.at(0)));
      if (c.children.size() > 1) {
        out.op = scope_op::is_in;
        scope_target(*c.children[1], out, principal);
      }
    }
    return out;
  }

  void check_action_type(const parse_node& n) {
    const parse_node& path = *n.children.at(0);
    if (path.children.empty() || path.children.back()->string_view() != "Action")
      error(n, "scope",
            "expected an action entity (type `Action` or `Namespace::Action`) in the action constraint");
  }

  scope_constraint action_scope(const parse_node& n) {
    scope_constraint out;
    out.span = span_of(n);
    if (n.children.empty()) return out;
    const parse_node& c = *n.children[0];
    if (c.is_type<g::action_eq>()) {
      out.op = scope_op::equal;
      const parse_node& target = *c.children.back();
      check_action_type(target);
      out.entity = entity(target);
    } else if (c.is_type<g::action_in>()) {
      const parse_node& target = *c.children.at(0);
      if (target.is_type<g::entity_list>()) {
        out.op = scope_op::in_list;
        for (const auto& item : target.children) {
          check_action_type(*item);
          out.list.push_back(entity(*item));
        }
      } else {
        out.op = scope_op::in;
        check_action_type(target);
        out.entity = entity(target);
      }
    }
    return out;
  }

  expr_id list_node(const parse_node& n, expr_kind kind, std::span<const std::uint32_t> items,
                    expr_id receiver, std::uint32_t name) {
    expr e;
    e.kind = kind;
    e.a = receiver;
    e.name = name;
    e.list_begin = static_cast<std::uint32_t>(ast_.lists.size());
    e.list_size = static_cast<std::uint32_t>(items.size());
    ast_.lists.insert(ast_.lists.end(), items.begin(), items.end());
    e.span = span_of(n);
    return add(e);
  }

  // `sign_begin` is where a folded minus sign starts, so the literal's span covers it.
  expr_id integer_literal(const parse_node& n, bool negative, std::uint32_t sign_begin = 0) {
    std::string_view digits = n.string_view();
    std::uint64_t magnitude = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
    const std::uint64_t limit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
    source_span span = span_of(n);
    if (negative) span.begin = sign_begin;
    if (ec != std::errc() || ptr != digits.data() + digits.size() || magnitude > limit) {
      diags_.push_back(make_diagnostic(ast_, span, "integer",
                                       "integer literal `" + std::string(negative ? "-" : "") +
                                           std::string(digits) + "` is out of range for a 64-bit Long"));
      failed_ = true;
      magnitude = 0;
    }
    const std::int64_t v =
        negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    const expr_id id = add_literal(n, value::of_int(v));
    ast_.exprs[id].span = span;
    return id;
  }

  expr_id expression(const parse_node& n) {
    if (n.is_type<g::lit_true>()) return add_literal(n, value::of_bool(true));
    if (n.is_type<g::lit_false>()) return add_literal(n, value::of_bool(false));
    if (n.is_type<g::lit_int>()) return integer_literal(n, false);
    if (n.is_type<g::lit_string>()) return add_literal(n, value::of_string(intern(string_literal(n))));
    if (n.is_type<g::var_principal>()) return add_node(n, expr_kind::var_principal);
    if (n.is_type<g::var_action>()) return add_node(n, expr_kind::var_action);
    if (n.is_type<g::var_resource>()) return add_node(n, expr_kind::var_resource);
    if (n.is_type<g::var_context>()) return add_node(n, expr_kind::var_context);
    if (n.is_type<g::slot_principal>() || n.is_type<g::slot_resource>()) {
      error(n, "slot", "template slots may appear only in the policy scope, not in conditions");
      return add_node(n, expr_kind::var_principal);
    }
    if (n.is_type<g::entity_ref>()) return add_literal(n, value::of_entity(entity(n)));
    if (n.is_type<g::temporal_block>()) return temporal(n);
    if (n.is_type<g::macro_param>()) return macro_parameter(n);
    if (n.is_type<g::function_call>()) return function_call(n);
    if (n.is_type<g::set_lit>()) {
      std::vector<std::uint32_t> items;
      for (const auto& c : n.children) items.push_back(expression(*c));
      return list_node(n, expr_kind::set_literal, items, 0, 0);
    }
    if (n.is_type<g::record_lit>()) return record_literal(n);
    if (n.is_type<g::member_expr>()) return member(n);
    if (n.is_type<g::unary_expr>()) return unary(n);
    if (n.is_type<g::mul_expr>() || n.is_type<g::add_expr>()) return arithmetic(n);
    if (n.is_type<g::relation>()) return relation(n);
    if (n.is_type<g::and_expr>() || n.is_type<g::or_expr>()) {
      const expr_kind kind = n.is_type<g::and_expr>() ? expr_kind::logical_and : expr_kind::logical_or;
      expr_id left = expression(*n.children.at(0));
      for (std::size_t i = 1; i < n.children.size(); ++i)
        left = add_binary(kind, left, expression(*n.children[i]));
      return left;
    }
    if (n.is_type<g::if_expr>()) {
      const expr_id cond = expression(*n.children.at(0));
      const expr_id then_branch = expression(*n.children.at(1));
      const expr_id else_branch = expression(*n.children.at(2));
      return add_node(n, expr_kind::if_then_else, cond, then_branch, else_branch);
    }
    error(n, "internal", "unexpected syntax node " + std::string(n.type));
    return add_literal(n, value::of_bool(false));
  }

  // The block's body is parsed later, once the macros of every file are known
  // (parse_temporal_blocks); the node receives the leaf index then.
  expr_id temporal(const parse_node& n) {
    const expr_id id = add_node(n, expr_kind::temporal);
    temporal_block block;
    block.node = id;
    block.policy = policy_position_;
    block.file = file_;
    const parse_node& body = *n.children.at(0);
    block.body_begin = span_of(body).begin;
    block.body_end = span_of(body).end;
    block.span = span_of(n);
    ast_.temporal_blocks.push_back(block);
    return id;
  }

  expr_id macro_parameter(const parse_node& n) {
    const std::string_view name = n.string_view().substr(1);
    for (auto it = macro_arguments_.rbegin(); it != macro_arguments_.rend(); ++it)
      if (it->first == name) return it->second;
    error(n, "macro",
          macro_arguments_.empty()
              ? "`" + std::string(n.string_view()) + "` may appear only in a macro body"
              : "`" + std::string(n.string_view()) + "` is not a parameter of this macro");
    return add_literal(n, value::of_bool(false));
  }

  // A call of a `def cedar` macro: its body, parsed where it was declared, with each `?param`
  // standing for the argument's expression (shared, not copied: the AST is immutable).
  expr_id expand_cedar_macro(const parse_node& n, const macro_declaration& m) {
    const std::size_t arity = n.children.size() - 1;
    if (arity != m.params.size()) {
      error(n, "macro",
            "macro `" + m.name + "` takes " + std::to_string(m.params.size()) + " argument(s), given " +
                std::to_string(arity));
      return add_literal(n, value::of_bool(false));
    }
    if (macro_depth_ >= max_macro_depth) {
      error(n, "macro", "macro `" + m.name + "` expands too deeply (is it recursive?)");
      return add_literal(n, value::of_bool(false));
    }
    std::vector<std::pair<std::string, expr_id>> arguments;
    for (std::size_t i = 0; i < arity; ++i)
      arguments.emplace_back(m.params[i], expression(*n.children[i + 1]));
    const std::string_view text = ast_.files[m.file].text;
    peg::memory_input in(text.data() + m.body_begin, text.data() + m.body_end, ast_.files[m.file].name);
    std::unique_ptr<parse_node> root;
    try {
      root =
          peg::parse_tree::parse<g::macro_expression, parse_node, selector, peg::nothing, parser_control>(in);
    } catch (const syntax_error& e) {
      const std::uint32_t at =
          m.body_begin + static_cast<std::uint32_t>(e.positions().empty() ? 0 : e.positions().front().byte);
      diags_.push_back(make_diagnostic(ast_, {m.file, at, at + 1}, "macro",
                                       "in the body of macro `" + m.name + "`: " + std::string(e.message())));
      failed_ = true;
      return add_literal(n, value::of_bool(false));
    }
    if (!root || root->children.empty()) {
      error(n, "macro", "macro `" + m.name + "` has an empty body");
      return add_literal(n, value::of_bool(false));
    }
    const std::uint32_t saved_file = file_;
    const std::uint32_t saved_base = base_;
    auto saved_arguments = std::move(macro_arguments_);
    file_ = m.file;
    base_ = m.body_begin;
    macro_arguments_ = std::move(arguments);
    ++macro_depth_;
    const expr_id body = expression(*root->children.front());
    --macro_depth_;
    macro_arguments_ = std::move(saved_arguments);
    file_ = saved_file;
    base_ = saved_base;
    return body;
  }

  expr_id function_call(const parse_node& n) {
    const std::string name = type_name(*n.children.at(0));
    for (const macro_declaration& m : ast_.macros)
      if (!m.is_temporal && m.name == name) return expand_cedar_macro(n, m);
    if (!is_extension_function(name))
      error(*n.children[0], "function",
            "unknown function `" + name +
                "` (extension functions are decimal, ip, "
                "datetime and duration)");
    std::vector<std::uint32_t> args;
    for (std::size_t i = 1; i < n.children.size(); ++i) args.push_back(expression(*n.children[i]));
    return list_node(n, expr_kind::function_call, args, 0, intern(name));
  }

  expr_id record_literal(const parse_node& n) {
    std::vector<std::uint32_t> pairs;
    std::vector<symbol> seen;
    for (const auto& entry : n.children) {
      const parse_node& key_node = *entry->children.at(0);
      const std::string key =
          key_node.is_type<g::lit_string>() ? string_literal(key_node) : std::string(key_node.string_view());
      const symbol key_symbol = intern(key);
      for (symbol s : seen)
        if (s == key_symbol) error(key_node, "record", "duplicate key `" + key + "` in record literal");
      seen.push_back(key_symbol);
      pairs.push_back(key_symbol);
      pairs.push_back(expression(*entry->children.at(1)));
    }
    expr_id id = list_node(n, expr_kind::record_literal, pairs, 0, 0);
    ast_.exprs[id].list_size = static_cast<std::uint32_t>(pairs.size());
    return id;
  }

  expr_id member(const parse_node& n) {
    expr_id current = expression(*n.children.at(0));
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const parse_node& access = *n.children[i];
      expr e;
      e.a = current;
      e.span = ast_.exprs[current].span;
      e.span.end = span_of(access).end;
      if (access.is_type<g::attr_access>()) {
        e.kind = expr_kind::get_attr;
        e.name = intern(access.children.at(0)->string_view());
        current = add(e);
      } else if (access.is_type<g::index_access>()) {
        e.kind = expr_kind::get_attr;
        e.name = intern(string_literal(*access.children.at(0)));
        current = add(e);
      } else {  // method_access: attr_name, then arguments
        const std::string_view method = access.children.at(0)->string_view();
        // Only the name is checked here: a wrong argument count is an evaluation error, as in
        // Cedar (its corpus has policies that call `isMulticast(1, 2)` and expect exactly that).
        if (!is_known_method(method))
          error(*access.children[0], "method", "unknown method `" + std::string(method) + "`");
        std::vector<std::uint32_t> args;
        for (std::size_t k = 1; k < access.children.size(); ++k)
          args.push_back(expression(*access.children[k]));
        const expr_id id = list_node(access, expr_kind::method_call, args, current, intern(method));
        ast_.exprs[id].span = e.span;
        current = id;
      }
    }
    return current;
  }

  static bool is_known_method(std::string_view name) noexcept {
    static constexpr std::string_view builtins[] = {"contains", "containsAll", "containsAny",
                                                    "isEmpty",  "hasTag",      "getTag"};
    for (std::string_view builtin : builtins)
      if (builtin == name) return true;
    return is_extension_method(name);
  }

  expr_id unary(const parse_node& n) {
    const std::size_t ops = n.children.size() - 1;
    if (ops > max_unary_operators) {
      error(n, "unary", "too many unary operators in a row (Cedar allows at most 4)");
      return add_literal(n, value::of_bool(false));
    }
    for (std::size_t i = 1; i < ops; ++i) {
      if (n.children[i]->type != n.children[0]->type) {
        error(*n.children[i], "unary", "`!` and `-` cannot be mixed without parentheses");
        return add_literal(n, value::of_bool(false));
      }
    }
    const parse_node& operand_node = *n.children.back();
    const parse_node& innermost_op = *n.children[ops - 1];
    std::size_t remaining = ops;
    expr_id current = 0;
    // `-9223372036854775808` is one literal, not the negation of an out-of-range one; only
    // blanks may stand between the sign and the digits (`-(9223372036854775808)` is not it).
    if (innermost_op.is_type<g::op_negate>() && operand_node.is_type<g::lit_int>() &&
        only_blanks_between(innermost_op, operand_node)) {
      current = integer_literal(operand_node, true, span_of(innermost_op).begin);
      --remaining;
    } else {
      current = expression(operand_node);
    }
    for (std::size_t i = remaining; i-- > 0;) {
      const parse_node& op = *n.children[i];
      expr e;
      e.kind = op.is_type<g::op_not>() ? expr_kind::logical_not : expr_kind::negate;
      e.a = current;
      e.span = ast_.exprs[current].span;
      e.span.begin = span_of(op).begin;
      // A parenthesized operand's expression ends inside the parentheses; `!(...)` ends after them.
      e.span.end = close_parentheses(e.span.begin, e.span.end);
      current = add(e);
    }
    return current;
  }

  // Extends [begin, end) over the `)` that close parentheses opened inside it (the tree keeps
  // a parenthesized expression's span without its parentheses). String literals are skipped.
  std::uint32_t close_parentheses(std::uint32_t begin, std::uint32_t end) const {
    const std::string_view text = ast_.files[file_].text;
    int open = 0;
    for (std::uint32_t i = begin; i < end && i < text.size(); ++i) {
      if (text[i] == '"') {
        for (++i; i < end && i < text.size() && text[i] != '"'; ++i)
          if (text[i] == '\\') ++i;
        continue;
      }
      open += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    }
    while (open > 0 && end < text.size()) {
      const char c = text[end];
      if (c == ')') {
        --open;
      } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      ++end;
    }
    return end;
  }

  bool only_blanks_between(const parse_node& before, const parse_node& after) const {
    const std::string_view text = ast_.files[file_].text;
    for (std::uint32_t i = span_of(before).end; i < span_of(after).begin; ++i)
      if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') return false;
    return true;
  }

  expr_id arithmetic(const parse_node& n) {
    expr_id left = expression(*n.children.at(0));
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
      const parse_node& op = *n.children[i];
      const expr_kind kind = op.is_type<g::op_multiply>() ? expr_kind::multiply
                             : op.is_type<g::op_plus>()   ? expr_kind::add
                                                          : expr_kind::subtract;
      left = add_binary(kind, left, expression(*n.children[i + 1]));
    }
    return left;
  }

  expr_id relation(const parse_node& n) {
    const expr_id left = expression(*n.children.at(0));
    const parse_node& tail = *n.children.at(1);
    if (tail.is_type<g::comparison>()) {
      const parse_node& op = *tail.children.at(0);
      expr_kind kind = expr_kind::equal;
      if (op.is_type<g::op_ne>())
        kind = expr_kind::not_equal;
      else if (op.is_type<g::op_lt>())
        kind = expr_kind::less;
      else if (op.is_type<g::op_le>())
        kind = expr_kind::less_equal;
      else if (op.is_type<g::op_gt>())
        kind = expr_kind::greater;
      else if (op.is_type<g::op_ge>())
        kind = expr_kind::greater_equal;
      else if (op.is_type<g::op_in>())
        kind = expr_kind::in;
      return add_binary(kind, left, expression(*tail.children.at(1)));
    }
    expr e;
    e.a = left;
    e.span = ast_.exprs[left].span;
    e.span.end = span_of(tail).end;
    if (tail.is_type<g::has_test>()) {
      std::vector<std::uint32_t> names;
      for (const auto& c : tail.children)
        names.push_back(c->is_type<g::lit_string>() ? intern(string_literal(*c)) : intern(c->string_view()));
      const expr_id id = list_node(tail, expr_kind::has, names, left, 0);
      ast_.exprs[id].span = e.span;
      return id;
    }
    if (tail.is_type<g::like_test>()) {
      const parse_node& pat = *tail.children.at(0);
      std::string_view raw = pat.string_view();
      pattern parsed;
      std::string message;
      if (!parse_like_pattern(raw.substr(1, raw.size() - 2), parsed, message)) error(pat, "pattern", message);
      ast_.patterns.push_back(std::move(parsed));
      e.kind = expr_kind::like;
      e.name = static_cast<std::uint32_t>(ast_.patterns.size() - 1);
      return add(e);
    }
    // is_test: type_path [is_in]
    e.kind = expr_kind::is;
    e.name = intern(type_name(*tail.children.at(0)));
    if (tail.children.size() > 1) {
      e.kind = expr_kind::is_in;
      e.b = expression(*tail.children[1]->children.at(0));
    }
    return add(e);
  }

  static constexpr std::uint32_t max_macro_depth = 32;

  policy_set_ast& ast_;
  std::uint32_t file_;
  std::uint32_t base_;
  std::vector<diagnostic>& diags_;
  bool failed_ = false;
  std::uint32_t policy_position_ = 0;
  std::vector<std::pair<std::string, expr_id>> macro_arguments_;
  std::uint32_t macro_depth_ = 0;
};

// Just past the last non-blank byte before `at` when that is on an earlier line (what is
// missing belongs at the end of that line); `at` itself when the token is on the same line.
std::size_t end_of_previous_token(std::string_view text, std::size_t at) {
  std::size_t back = at;
  bool crossed_line = false;
  while (back > 0 && (text[back - 1] == ' ' || text[back - 1] == '\t' || text[back - 1] == '\n' ||
                      text[back - 1] == '\r')) {
    crossed_line |= text[back - 1] == '\n';
    --back;
  }
  return crossed_line ? back : at;
}

// The opening quote of the string that runs to the end of the text, scanning from `from`
// as the lexer does (strings with escapes, `//` comments).
std::size_t unterminated_quote(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size()) {
    if (text[i] == '"') {
      const std::size_t open = i++;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      if (i >= text.size()) return open;
      ++i;
    } else if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      ++i;
    }
  }
  return text.size();
}

// After a syntax error at `from`, the next policy starts after the next `;` that is not in
// a string or a comment.
std::size_t skip_to_next_policy(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ';') return i + 1;
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      ++i;
    }
  }
  return text.size();
}

}  // namespace

namespace {

enum class parse_pass : std::uint8_t { macros_only, everything };

void parse_items(policy_set_ast& ast, std::uint32_t file_index, const parse_limits& limits,
                 std::vector<diagnostic>& diagnostics, parse_pass pass) {
  const std::string_view text = ast.files[file_index].text;
  const std::string& file_name = ast.files[file_index].name;
  g::nesting_limit() = limits.max_nesting_depth;
  std::uint32_t errors = 0;
  std::size_t offset = 0;
  while (offset <= text.size()) {
    peg::memory_input in(text.data() + offset, text.data() + text.size(), file_name);
    try {
      auto root =
          peg::parse_tree::parse<g::next_policy, parse_node, selector, peg::nothing, parser_control>(in);
      if (!root || root->children.empty()) break;  // end of input
      tree_converter converter(ast, file_index, static_cast<std::uint32_t>(offset), diagnostics);
      const parse_node& item = *root->children.front();
      if (pass == parse_pass::macros_only) {
        if (item.is_type<g::macro_declaration>()) converter.convert_macro(item);
      } else if (item.is_type<g::level_declaration>()) {
        converter.convert_levels(item);
      } else if (item.is_type<g::policy>()) {
        converter.convert_policy(item, ast.policies_seen++);
      }
      if (converter.failed() && ++errors >= limits.max_errors) break;
      offset = static_cast<std::size_t>(in.current() - text.data());
    } catch (const syntax_error& e) {
      std::size_t at = offset + (e.positions().empty() ? 0 : e.positions().front().byte);
      if (e.place == error_place::after_previous_token) at = end_of_previous_token(text, at);
      if (e.place == error_place::opening_quote) at = unterminated_quote(text, offset);
      source_span span{file_index, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 1)};
      if (pass == parse_pass::everything) {
        diagnostics.push_back(make_diagnostic(ast, span, e.code, std::string(e.message())));
        ++ast.policies_seen;
      }
      if (++errors >= limits.max_errors) break;
      offset = skip_to_next_policy(text, at);
      if (offset >= text.size()) break;
    }
  }
}

}  // namespace

void collect_macros(policy_set_ast& ast, std::uint32_t file_index, const parse_limits& limits,
                    std::vector<diagnostic>& diagnostics) {
  // Most files declare no macro: skip the extra pass unless `def` occurs at all.
  if (ast.files[file_index].text.find("def") == std::string::npos) return;
  parse_items(ast, file_index, limits, diagnostics, parse_pass::macros_only);
}

void parse_policies(policy_set_ast& ast, std::uint32_t file_index, const parse_limits& limits,
                    std::vector<diagnostic>& diagnostics) {
  parse_items(ast, file_index, limits, diagnostics, parse_pass::everything);
}

}  // namespace mandate::detail
