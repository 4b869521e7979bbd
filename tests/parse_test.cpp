// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The grammar, construct by construct: each case parses a piece of policy text and compares
// the AST it builds, printed as an S-expression, with the shape the language reference
// (grammar/REFERENCE.md) gives it. Errors and policy ids go through the public API.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ast/ast.hpp"
#include "mandate/diagnostic.hpp"
#include "mandate/policy_set.hpp"
#include "parse/parser.hpp"

namespace {

using mandate::detail::expr;
using mandate::detail::expr_id;
using mandate::detail::expr_kind;
using mandate::detail::policy_set_ast;

// ---- helpers -------------------------------------------------------------------------------

struct parsed_text {
  std::unique_ptr<policy_set_ast> ast = std::make_unique<policy_set_ast>();
  std::vector<mandate::diagnostic> diagnostics;
};

parsed_text parse(std::string_view text) {
  parsed_text out;
  out.ast->files.emplace_back("test.cedar", std::string(text));
  mandate::detail::parse_policies(*out.ast, 0, mandate::detail::parse_limits{}, out.diagnostics);
  return out;
}

std::string cedar_quote(std::string_view text) { return mandate::detail::quote(text); }
std::string name_of(std::uint32_t symbol) { return std::string(mandate::detail::symbol_text(symbol)); }

std::string pattern_text(const mandate::detail::pattern& p) {
  std::string out;
  for (const auto& part : p) out += part.wildcard ? std::string(" *") : " " + cedar_quote(part.text);
  return out;
}

// Prints an expression as an S-expression: `(|| a (&& b c))`. Attribute names and `has`
// paths are quoted so `["a b"]` and `.a` print alike; methods print as `(.name receiver args)`.
std::string sexpr(const policy_set_ast& ast, expr_id id) {
  const expr& e = ast.at(id);
  auto sub = [&](expr_id child) { return sexpr(ast, child); };
  auto binary = [&](const char* op) { return std::string("(") + op + " " + sub(e.a) + " " + sub(e.b) + ")"; };
  auto items = [&](std::string head) {
    for (std::uint32_t item : ast.list(e)) head += " " + sub(item);
    return head + ")";
  };
  switch (e.kind) {
    case expr_kind::literal:
      return mandate::detail::to_cedar(ast.literals.at(e.name));
    case expr_kind::var_principal:
      return "principal";
    case expr_kind::var_action:
      return "action";
    case expr_kind::var_resource:
      return "resource";
    case expr_kind::temporal:
      return "(temporal " + std::to_string(e.name) + ")";
    case expr_kind::var_context:
      return "context";
    case expr_kind::slot_principal:
      return "?principal";
    case expr_kind::slot_resource:
      return "?resource";
    case expr_kind::logical_not:
      return "(! " + sub(e.a) + ")";
    case expr_kind::negate:
      return "(neg " + sub(e.a) + ")";
    case expr_kind::logical_and:
      return binary("&&");
    case expr_kind::logical_or:
      return binary("||");
    case expr_kind::if_then_else:
      return "(if " + sub(e.a) + " " + sub(e.b) + " " + sub(e.c) + ")";
    case expr_kind::equal:
      return binary("==");
    case expr_kind::not_equal:
      return binary("!=");
    case expr_kind::less:
      return binary("<");
    case expr_kind::less_equal:
      return binary("<=");
    case expr_kind::greater:
      return binary(">");
    case expr_kind::greater_equal:
      return binary(">=");
    case expr_kind::in:
      return binary("in");
    case expr_kind::add:
      return binary("+");
    case expr_kind::subtract:
      return binary("-");
    case expr_kind::multiply:
      return binary("*");
    case expr_kind::has: {
      std::string out = "(has " + sub(e.a);
      for (std::uint32_t name : ast.list(e)) out += " " + cedar_quote(name_of(name));
      return out + ")";
    }
    case expr_kind::get_attr:
      return "(. " + sub(e.a) + " " + cedar_quote(name_of(e.name)) + ")";
    case expr_kind::like:
      return "(like " + sub(e.a) + pattern_text(ast.patterns.at(e.name)) + ")";
    case expr_kind::is:
      return "(is " + sub(e.a) + " " + name_of(e.name) + ")";
    case expr_kind::is_in:
      return "(is-in " + sub(e.a) + " " + name_of(e.name) + " " + sub(e.b) + ")";
    case expr_kind::set_literal:
      return items("(set");
    case expr_kind::record_literal: {
      std::string out = "(record";
      const auto pairs = ast.list(e);
      for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
        out += " " + cedar_quote(name_of(pairs[i])) + " " + sub(pairs[i + 1]);
      return out + ")";
    }
    case expr_kind::method_call:
      return items("(." + name_of(e.name) + " " + sub(e.a));
    case expr_kind::function_call:
      return items("(call " + name_of(e.name));
  }
  return "<unknown expr kind>";
}

// The first diagnostic's message, or "" when there is none.
std::string first_message(const std::vector<mandate::diagnostic>& ds) {
  return ds.empty() ? "" : ds.front().message;
}

// Parses `expression` as the only condition of a policy and prints its AST, or
// "error: <message>" when it does not parse.
std::string condition_ast(std::string_view expression) {
  const parsed_text p =
      parse("permit (principal, action, resource) when { " + std::string(expression) + " };");
  if (!p.diagnostics.empty()) return "error: " + first_message(p.diagnostics);
  if (p.ast->policies.size() != 1 || p.ast->policies[0].conditions.size() != 1) return "error: no condition";
  return sexpr(*p.ast, p.ast->policies[0].conditions[0].body);
}

// The decoded value of a string literal written in policy text, e.g. `"a\tb"`.
std::string string_value(std::string_view literal) {
  const parsed_text p = parse("permit (principal, action, resource) when { " + std::string(literal) + " };");
  REQUIRE_MESSAGE(p.diagnostics.empty(), literal << ": " << first_message(p.diagnostics));
  const expr& body = p.ast->at(p.ast->policies.at(0).conditions.at(0).body);
  REQUIRE(body.kind == expr_kind::literal);
  const mandate::detail::value& v = p.ast->literals.at(body.name);
  REQUIRE(v.kind == mandate::detail::value_kind::string);
  return std::string(mandate::detail::symbol_text(v.string));
}

std::string scope_text(const mandate::detail::scope_constraint& s) {
  using mandate::detail::scope_op;
  const std::string target = s.slot ? "?slot" : mandate::detail::to_cedar(s.entity);
  switch (s.op) {
    case scope_op::any:
      return "any";
    case scope_op::equal:
      return "== " + target;
    case scope_op::in:
      return "in " + target;
    case scope_op::is:
      return "is " + name_of(s.type);
    case scope_op::is_in:
      return "is " + name_of(s.type) + " in " + target;
    case scope_op::in_list: {
      std::string out = "in [";
      for (std::size_t i = 0; i < s.list.size(); ++i)
        out += (i > 0 ? ", " : "") + mandate::detail::to_cedar(s.list[i]);
      return out + "]";
    }
  }
  return "<unknown scope op>";
}

struct expression_case {
  const char* source;
  const char* ast;
};

void check_expressions(std::initializer_list<expression_case> cases) {
  for (const expression_case& c : cases) {
    const std::string source = c.source;
    CAPTURE(source);
    CHECK(condition_ast(source) == c.ast);
  }
}

// Compiles through the public API and returns the diagnostics (empty when it compiled).
std::vector<mandate::diagnostic> compile_errors(std::string_view text) {
  auto result = mandate::policy_set::compile(text, "test.cedar");
  if (result) return {};
  return result.error();
}

struct error_case {
  const char* source;  // a whole policy set
  const char* code;
  const char* message_part;
  std::uint32_t line;
  std::uint32_t column;
};

void check_errors(std::initializer_list<error_case> cases) {
  for (const error_case& c : cases) {
    const std::string source = c.source;
    CAPTURE(source);
    const auto ds = compile_errors(source);
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.front().level == mandate::severity::error);
    CHECK(ds.front().code == c.code);
    CHECK_MESSAGE(ds.front().message.find(c.message_part) != std::string::npos, ds.front().message);
    CHECK(ds.front().where.file == "test.cedar");
    CHECK(ds.front().where.line == c.line);
    CHECK(ds.front().where.column == c.column);
  }
}

// Expects `expression` in a condition to be rejected, whatever the message.
void check_rejected(std::initializer_list<const char*> expressions) {
  for (const char* expression : expressions) {
    const std::string text = "permit (principal, action, resource) when { " + std::string(expression) + " };";
    CAPTURE(text);
    const auto ds = compile_errors(text);
    REQUIRE_FALSE(ds.empty());
    CHECK(mandate::has_errors(ds));
    CHECK_FALSE(ds.front().message.empty());
    CHECK(ds.front().where.line == 1);
    CHECK(ds.front().where.column >= 45);  // inside the condition, not at the start of the policy
  }
}

}  // namespace

// ---- scope ---------------------------------------------------------------------------------

TEST_CASE("parse: the three effects") {
  const parsed_text p = parse(
      "permit (principal, action, resource);\n"
      "forbid (principal, action, resource);\n"
      "require_approval (principal, action, resource);\n");
  REQUIRE(p.diagnostics.empty());
  REQUIRE(p.ast->policies.size() == 3);
  CHECK(p.ast->policies[0].kind == mandate::detail::effect::permit);
  CHECK(p.ast->policies[1].kind == mandate::detail::effect::forbid);
  CHECK(p.ast->policies[2].kind == mandate::detail::effect::require_approval);
  // The effect span covers the keyword, for explanations.
  const auto& span = p.ast->policies[2].effect_span;
  CHECK(p.ast->files[0].text.substr(span.begin, span.end - span.begin) == "require_approval");
}

TEST_CASE("parse: principal and resource scope forms") {
  struct scope_case {
    const char* principal;
    const char* principal_shape;
    const char* resource;
    const char* resource_shape;
  };
  const scope_case cases[] = {
      {"principal", "any", "resource", "any"},
      {"principal == User::\"alice\"", "== User::\"alice\"", "resource == Photo::\"v.jpg\"",
       "== Photo::\"v.jpg\""},
      {"principal in Group::\"admins\"", "in Group::\"admins\"", "resource in Folder::\"f\"",
       "in Folder::\"f\""},
      {"principal is User", "is User", "resource is Doc", "is Doc"},
      {"principal is Acme::User", "is Acme::User", "resource is Acme::Docs::Doc", "is Acme::Docs::Doc"},
      {"principal is User in Group::\"g\"", "is User in Group::\"g\"", "resource is Doc in Folder::\"f\"",
       "is Doc in Folder::\"f\""},
      {"principal == Acme::User::\"a\"", "== Acme::User::\"a\"", "resource in Acme::Folder::\"\"",
       "in Acme::Folder::\"\""},
      {"principal==User::\"x\"", "== User::\"x\"", "resource  in  Folder :: \"y\"", "in Folder::\"y\""},
  };
  for (const scope_case& c : cases) {
    const std::string text = std::string("permit (") + c.principal + ", action, " + c.resource + ");";
    CAPTURE(text);
    const parsed_text p = parse(text);
    REQUIRE_MESSAGE(p.diagnostics.empty(), first_message(p.diagnostics));
    REQUIRE(p.ast->policies.size() == 1);
    CHECK(scope_text(p.ast->policies[0].principal) == c.principal_shape);
    CHECK(scope_text(p.ast->policies[0].action) == "any");
    CHECK(scope_text(p.ast->policies[0].resource) == c.resource_shape);
    CHECK_FALSE(p.ast->policies[0].principal.slot);
    CHECK_FALSE(p.ast->policies[0].resource.slot);
  }
}

TEST_CASE("parse: action scope forms, action lists and namespaced actions") {
  const std::pair<const char*, const char*> cases[] = {
      {"action", "any"},
      {"action == Action::\"read\"", "== Action::\"read\""},
      {"action in Action::\"readOnly\"", "in Action::\"readOnly\""},
      {"action in [Action::\"read\", Action::\"list\"]", "in [Action::\"read\", Action::\"list\"]"},
      {"action in [Action::\"read\"]", "in [Action::\"read\"]"},
      {"action in []", "in []"},
      {"action == Acme::Action::\"read\"", "== Acme::Action::\"read\""},
      {"action in [Acme::Action::\"a\", Other::Action::\"b\"]",
       "in [Acme::Action::\"a\", Other::Action::\"b\"]"},
  };
  for (const auto& [source, shape] : cases) {
    const std::string text = std::string("permit (principal, ") + source + ", resource);";
    CAPTURE(text);
    const parsed_text p = parse(text);
    REQUIRE_MESSAGE(p.diagnostics.empty(), first_message(p.diagnostics));
    CHECK(scope_text(p.ast->policies.at(0).action) == shape);
  }
}

TEST_CASE("parse: scope errors") {
  check_errors({
      {"permit (principal, action == User::\"x\", resource);", "scope", "action entity", 1, 30},
      {"permit (principal, action in Action::\"a\", resource);\n"
       "permit (principal, action in [Action::\"a\", Operation::\"w\"], resource);",
       "scope", "`Action`", 2, 44},
      {"permit (principal, action in Acme::Actions::\"x\", resource);", "scope", "action entity", 1, 30},
      {"permit (action, principal, resource);", "parse", "expected `principal`", 1, 9},
      {"permit (principal, resource, action);", "parse", "expected `action`", 1, 20},
      {"permit (principal, action);", "parse", "`,`", 1, 26},
      {"permit ();", "parse", "expected `principal`", 1, 9},
      {"permit (principal, action, resource, context);", "parse", "expected `)`", 1, 36},
      {"permit (principal is User == User::\"a\", action, resource);", "parse", "", 1, 27},
      {"permit (principal, action is Action, resource);", "parse", "", 1, 27},
      {"permit (principal == \"alice\", action, resource);", "parse", "entity reference", 1, 22},
      {"permit (principal in [Group::\"a\"], action, resource);", "parse", "entity reference", 1, 22},
      {"permit principal, action, resource;", "parse", "expected `(`", 1, 8},
  });
}

TEST_CASE("parse: when and unless conditions keep their order") {
  const parsed_text p = parse(
      "permit (principal, action, resource)\n"
      "  when { 1 == 1 }\n"
      "  unless { false }\n"
      "  when { context.ok };");
  REQUIRE(p.diagnostics.empty());
  const auto& conditions = p.ast->policies.at(0).conditions;
  REQUIRE(conditions.size() == 3);
  CHECK(conditions[0].is_when);
  CHECK_FALSE(conditions[1].is_when);
  CHECK(conditions[2].is_when);
  CHECK(sexpr(*p.ast, conditions[0].body) == "(== 1 1)");
  CHECK(sexpr(*p.ast, conditions[1].body) == "false");
  CHECK(sexpr(*p.ast, conditions[2].body) == "(. context \"ok\")");
  const parsed_text none = parse("forbid (principal, action, resource);");
  REQUIRE(none.diagnostics.empty());
  CHECK(none.ast->policies.at(0).conditions.empty());
}

TEST_CASE("parse: an empty condition and an unknown condition keyword are errors") {
  check_errors({
      {"permit (principal, action, resource) when {};", "parse", "expected an expression", 1, 44},
      {"permit (principal, action, resource) when { };", "parse", "expected an expression", 1, 45},
      {"permit (principal, action, resource) unless {\n};", "parse", "expected an expression", 2, 1},
      {"permit (principal, action, resource) if { true };", "parse", "expected `;`", 1, 38},
      {"permit (principal, action, resource) when true;", "parse", "expected `{`", 1, 43},
      {"permit (principal, action, resource) when { true }", "parse", "expected `;`", 1, 51},
  });
}

// ---- expressions ---------------------------------------------------------------------------

TEST_CASE("parse: precedence of || && relations + - * and unary operators") {
  check_expressions({
      {"true || false && true", "(|| true (&& false true))"},
      {"true && false || true", "(|| (&& true false) true)"},
      {"true || false || true", "(|| (|| true false) true)"},
      {"true && false && true", "(&& (&& true false) true)"},
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"1 * 2 + 3", "(+ (* 1 2) 3)"},
      {"1 - 2 - 3", "(- (- 1 2) 3)"},
      {"1 - 2 + 3", "(+ (- 1 2) 3)"},
      {"2 * 3 * 4", "(* (* 2 3) 4)"},
      {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
      {"1 + 2 < 3 * 4", "(< (+ 1 2) (* 3 4))"},
      {"1 < 2 && 3 >= 4 || 5 != 6", "(|| (&& (< 1 2) (>= 3 4)) (!= 5 6))"},
      {"1 == 2", "(== 1 2)"},
      {"1 != 2", "(!= 1 2)"},
      {"1 < 2", "(< 1 2)"},
      {"1 <= 2", "(<= 1 2)"},
      {"1 > 2", "(> 1 2)"},
      {"1 >= 2", "(>= 1 2)"},
      {"!context.a", "(! (. context \"a\"))"},
      {"!principal.active && true", "(&& (! (. principal \"active\")) true)"},
      {"-context.size", "(neg (. context \"size\"))"},
      {"-context.a.b", "(neg (. (. context \"a\") \"b\"))"},
      {"!!true", "(! (! true))"},
      {"!!!!true", "(! (! (! (! true))))"},
      {"2 * -3", "(* 2 -3)"},
      {"1 - -1", "(- 1 -1)"},
      {"1--1", "(- 1 -1)"},
      {"-1 * -2", "(* -1 -2)"},
      {"!(1 < 2)", "(! (< 1 2))"},
      {"(true)", "true"},
      {"((((1))))", "1"},
      {"1 + 1 in context.s", "(in (+ 1 1) (. context \"s\"))"},
      {"principal has a && true", "(&& (has principal \"a\") true)"},
      {"principal is User || false", "(|| (is principal User) false)"},
      {"context.p like \"*\" && true", "(&& (like (. context \"p\") *) true)"},
  });
}

TEST_CASE("parse: relational operators do not chain") {
  check_rejected({"1 < 2 < 3", "1 == 2 == 3", "1 == 2 != 3", "principal in resource in context.s",
                  "principal has a has b", "1 < 2 == true"});
}

TEST_CASE("parse: there is no division, modulo or single `=`") {
  check_rejected(
      {"6 / 3 == 2", "7 % 2 == 1", "context.a = 1", "1 === 1", "context.a & true", "true | false"});
}

TEST_CASE("parse: negative literals fold; the smallest Long is a literal, one past the largest is not") {
  check_expressions({
      {"-1", "-1"},
      {"- 1", "-1"},
      {"--1", "(neg -1)"},
      {"----1", "(neg (neg (neg -1)))"},
      {"0", "0"},
      {"-0", "0"},
      {"007", "7"},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775807", "-9223372036854775807"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"--9223372036854775808", "(neg -9223372036854775808)"},
      {"-9223372036854775808 - 1", "(- -9223372036854775808 1)"},
  });
  check_errors({
      {"permit (principal, action, resource) when { 9223372036854775808 };", "integer",
       "integer literal `9223372036854775808` is out of range", 1, 45},
      {"permit (principal, action, resource) when { 1 + 99999999999999999999999 };", "integer",
       "out of range", 1, 49},
  });
  // `-9223372036854775809`: one below the smallest Long.
  const auto below = compile_errors("permit (principal, action, resource) when { -9223372036854775809 };");
  REQUIRE_FALSE(below.empty());
  CHECK(below.front().code == "integer");
  CHECK(below.front().message.find("`-9223372036854775809`") != std::string::npos);
}

TEST_CASE("parse: the folded smallest Long spans its minus sign") {
  const std::string text = "permit (principal, action, resource) when { -9223372036854775808 };";
  const parsed_text p = parse(text);
  REQUIRE(p.diagnostics.empty());
  const expr& literal = p.ast->at(p.ast->policies.at(0).conditions.at(0).body);
  CHECK(text.substr(literal.span.begin, literal.span.end - literal.span.begin) == "-9223372036854775808");
  CHECK(p.ast->literals.at(literal.name).integer == std::numeric_limits<std::int64_t>::min());
}

// The out-of-range negative literal's diagnostic points at the `-` its message quotes.
TEST_CASE("parse: an out-of-range negative literal is reported at its minus sign") {
  const auto ds = compile_errors("permit (principal, action, resource) when { -9223372036854775809 };");
  REQUIRE_FALSE(ds.empty());
  CHECK(ds.front().where.column == 45);
  CHECK(ds.front().where.length == 20);
}

TEST_CASE("parse: at most four unary operators of a kind in a row") {
  check_errors({
      {"permit (principal, action, resource) when { !!!!!true };", "unary", "at most 4", 1, 45},
      {"permit (principal, action, resource) when { -----1 == 1 };", "unary", "at most 4", 1, 45},
      {"permit (principal, action, resource) when { ! ! ! ! ! true };", "unary", "at most 4", 1, 45},
      {"permit (principal, action, resource) when { 1 + !!!!!!!!context.a };", "unary", "at most 4", 1, 49},
  });
  CHECK(condition_ast("!!!!(!true)") == "(! (! (! (! (! true)))))");
}

// Only a `-` written directly before the digits is folded into the literal (REFERENCE.md
// section 5): `-(9223372036854775808)` reports the out-of-range literal, as Cedar does.
TEST_CASE("parse: a parenthesised literal is not folded into a negative literal") {
  check_errors({
      {"permit (principal, action, resource) when { -(9223372036854775808) };", "integer", "out of range", 1,
       47},
  });
  CHECK(condition_ast("-(1)") == "(neg 1)");
}

// Cedar's grammar takes either `!`s or `-`s, not a mix (REFERENCE.md section 7 and the
// Nots/Negs rules in section 9: "'!-x' and '-!x' do not parse").
TEST_CASE("parse: `!` and `-` do not mix without parentheses") {
  check_rejected({"!-1", "-!true", "!!-1", "-!-1"});
  CHECK(condition_ast("!(-1)") == "(! -1)");
}

TEST_CASE("parse: if-then-else") {
  check_expressions({
      {"if true then 1 else 2", "(if true 1 2)"},
      {"if context.a > 1000 then principal.level >= 3 else true",
       "(if (> (. context \"a\") 1000) (>= (. principal \"level\") 3) true)"},
      {"if true then 1 else 2 || false", "(if true 1 (|| 2 false))"},
      {"if true then if false then 1 else 2 else 3", "(if true (if false 1 2) 3)"},
      {"if true then 1 else if false then 2 else 3", "(if true 1 (if false 2 3))"},
      {"if if true then false else true then 1 else 2", "(if (if true false true) 1 2)"},
      {"(if true then 1 else 2) + 1", "(+ (if true 1 2) 1)"},
      {"true && (if false then true else false)", "(&& true (if false true false))"},
      {"[if true then 1 else 2]", "(set (if true 1 2))"},
      {"{a: if true then 1 else 2}", "(record \"a\" (if true 1 2))"},
  });
  check_rejected({"true && if true then 1 else 2", "if true then 1", "if true 1 else 2",
                  "if true then 1 else", "1 + if true then 1 else 2"});
}

TEST_CASE("parse: in, is and is-in") {
  check_expressions({
      {"principal in Group::\"a\"", "(in principal Group::\"a\")"},
      {"principal in [Group::\"a\", Group::\"b\"]", "(in principal (set Group::\"a\" Group::\"b\"))"},
      {"principal in resource.sharedWith", "(in principal (. resource \"sharedWith\"))"},
      {"resource is Document", "(is resource Document)"},
      {"principal is Acme::User", "(is principal Acme::User)"},
      {"principal is User in Group::\"staff\"", "(is-in principal User Group::\"staff\")"},
      {"context.target is Server in context.allowed",
       "(is-in (. context \"target\") Server (. context \"allowed\"))"},
      {"action is Action", "(is action Action)"},
      {"User::\"a\" in [User::\"a\"]", "(in User::\"a\" (set User::\"a\"))"},
      {"Acme::Corp::User::\"alice\" == principal", "(== Acme::Corp::User::\"alice\" principal)"},
      {"User::\"\" == principal", "(== User::\"\" principal)"},
  });
  check_rejected({"principal is \"User\"", "principal is User::\"a\"", "principal is", "principal in"});
}

TEST_CASE("parse: has with identifiers, dotted paths and string keys") {
  check_expressions({
      {"principal has department", "(has principal \"department\")"},
      {"principal has contactInfo.address.zip", "(has principal \"contactInfo\" \"address\" \"zip\")"},
      {"principal has a . b", "(has principal \"a\" \"b\")"},
      {"context has \"owner info\"", "(has context \"owner info\")"},
      {"context has \"\"", "(has context \"\")"},
      {"context has action", "(has context \"action\")"},
      {"context.role has admin", "(has (. context \"role\") \"admin\")"},
      {"context has \"a\" && context[\"a\"] has name",
       "(&& (has context \"a\") (has (. context \"a\") \"name\"))"},
  });
  // Only identifiers may appear in a path, and `has` needs a name.
  check_rejected(
      {"context has \"a\".b", "context has a.\"b\"", "context has", "context has 1", "context has a."});
}

TEST_CASE("parse: like patterns with `*` and `\\*`") {
  check_expressions({
      {"context.path like \"/public/*\"", "(like (. context \"path\") \"/public/\" *)"},
      {"\"ham and eggs\" like \"*and*\"", "(like \"ham and eggs\" * \"and\" *)"},
      {"\"a\" like \"string\\*with\\*stars\"", "(like \"a\" \"string*with*stars\")"},
      {"\"a\" like \"\\**\"", "(like \"a\" \"*\" *)"},
      {"\"a\" like \"**\"", "(like \"a\" *)"},
      {"\"a\" like \"\"", "(like \"a\")"},
      {"\"a\" like \"\\t\\u{41}\"", "(like \"a\" \"\\tA\")"},
  });
  check_errors({
      {"permit (principal, action, resource) when { \"a\" like \"\\q\" };", "pattern", "invalid escape `\\q`",
       1, 54},
  });
  check_rejected({"\"a\" like context.p", "\"a\" like 1", "\"a\" like \"b\" like \"c\""});
}

TEST_CASE("parse: attribute access with .attr and [\"attr\"]") {
  check_expressions({
      {"resource.owner", "(. resource \"owner\")"},
      {"context[\"owner info\"]", "(. context \"owner info\")"},
      {"principal.manager.department", "(. (. principal \"manager\") \"department\")"},
      {"context.a[\"b c\"].d", "(. (. (. context \"a\") \"b c\") \"d\")"},
      {"context[\"if\"]", "(. context \"if\")"},
      {"context.action", "(. context \"action\")"},
      {"context.permit.when.unless", "(. (. (. context \"permit\") \"when\") \"unless\")"},
      {"context . a", "(. context \"a\")"},
      {"{a: 1}.a", "(. (record \"a\" 1) \"a\")"},
      {"(context).a", "(. context \"a\")"},
      {"User::\"a\".name", "(. User::\"a\" \"name\")"},
  });
  // `["..."]` takes a string literal only.
  check_rejected({"context[a]", "context[1]", "context[\"a\" + \"b\"]", "context.", "context.1"});
}

// REFERENCE.md sections 6.9 and 8: reserved words are not attribute names after `.`, record
// keys or `has` names (`context["if"]`, not `context.if`), as in Cedar.
TEST_CASE("parse: reserved words are not attribute names, has names or record keys") {
  check_rejected({"context.if", "context.true", "context.in", "context has if", "context has a.then",
                  "{if: 1} == context", "{like: 1} == context"});
}

TEST_CASE("parse: reserved words are not variables, types or functions") {
  check_rejected({"if", "then", "true::\"a\" == principal", "principal is in", "User::in::\"a\" == principal",
                  "in(1)", "foo", "principal.foo == bar", "__cedar::User::\"a\" == principal"});
}

TEST_CASE("parse: method calls") {
  check_expressions({
      {"context.scopes.contains(\"payments:write\")",
       "(.contains (. context \"scopes\") \"payments:write\")"},
      {"principal.roles.containsAll([\"viewer\", \"editor\"])",
       "(.containsAll (. principal \"roles\") (set \"viewer\" \"editor\"))"},
      {"resource.tags.containsAny(principal.allowedTags)",
       "(.containsAny (. resource \"tags\") (. principal \"allowedTags\"))"},
      {"!context.approvals.isEmpty()", "(! (.isEmpty (. context \"approvals\")))"},
      {"[].containsAny([1])", "(.containsAny (set) (set 1))"},
      {"resource.hasTag(context.k) && resource.getTag(\"k\") == 1",
       "(&& (.hasTag resource (. context \"k\")) (== (.getTag resource \"k\") 1))"},
      {"context.now.durationSince(resource.createdAt).toDays()",
       "(.toDays (.durationSince (. context \"now\") (. resource \"createdAt\")))"},
      {"context . s . contains ( 1 )", "(.contains (. context \"s\") 1)"},
      {"context.a.contains(1).b", "(. (.contains (. context \"a\") 1) \"b\")"},
  });
  check_errors({
      {"permit (principal, action, resource) when { context.tags.includes(\"x\") };", "method",
       "unknown method `includes`", 1, 58},
      {"permit (principal, action, resource) when { \"1.0\".decimal() };", "method",
       "unknown method `decimal`", 1, 51},
  });
  check_rejected({"context.s.contains(1", "context.s.contains(1,)", "context.s.contains(,)"});
}

// REFERENCE.md 6.11 and 9: "the method or function exists and has the right number of
// arguments" is a parse-time check, as in Cedar.
TEST_CASE("parse: wrong argument counts parse, and are evaluation errors as in Cedar") {
  for (const char* condition :
       {"context.s.contains()", "context.s.contains(1, 2)", "context.s.isEmpty(1)", "context.s.containsAll()",
        "ip()", "ip(\"1.2.3.4\", \"x\")", "decimal(\"1.0\").lessThan()", "ip(\"1.2.3.4\").isIpv4(1)"}) {
    CAPTURE(condition);
    auto compiled = mandate::policy_set::compile(std::string("permit (principal, action, resource) when { ") +
                                                 condition + " };");
    REQUIRE(compiled.has_value());
    auto req = mandate::request({"U", "u"}, {"Action", "a"}, {"R", "r"}).with_context_json(R"({"s": [1]})");
    REQUIRE(req.has_value());
    const auto d = compiled->evaluate(*req, mandate::entity_store());
    CHECK(d.outcome == mandate::verdict::deny);
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message.find("argument") != std::string::npos);
  }
}

TEST_CASE("parse: extension function calls") {
  check_expressions({
      {"ip(\"10.0.0.0/8\")", "(call ip \"10.0.0.0/8\")"},
      {"decimal(\"12.5\")", "(call decimal \"12.5\")"},
      {"datetime(\"2025-01-31T12:00:00Z\")", "(call datetime \"2025-01-31T12:00:00Z\")"},
      {"duration(\"1h30m\")", "(call duration \"1h30m\")"},
      {"ip(context.source_ip).isInRange(ip(\"10.0.0.0/8\"))",
       "(.isInRange (call ip (. context \"source_ip\")) (call ip \"10.0.0.0/8\"))"},
      {"decimal(\"1.5\").lessThan(decimal(\"2.0\"))",
       "(.lessThan (call decimal \"1.5\") (call decimal \"2.0\"))"},
      {"context.t.offset(duration(\"1h\")).toDate()",
       "(.toDate (.offset (. context \"t\") (call duration \"1h\")))"},
      // A malformed argument is an evaluation error, not a parse error.
      {"ip(\"bad\")", "(call ip \"bad\")"},
  });
  check_errors({
      {"permit (principal, action, resource) when { timestamp(\"2025\") };", "function",
       "unknown function `timestamp`", 1, 45},
      {"permit (principal, action, resource) when { contains([1], 1) };", "function",
       "unknown function `contains`", 1, 45},
      {"permit (principal, action, resource) when { Acme::ip(\"1.2.3.4\") };", "function",
       "unknown function `Acme::ip`", 1, 45},
  });
}

TEST_CASE("parse: set and record literals") {
  check_expressions({
      {"[]", "(set)"},
      {"[1, \"a\", true]", "(set 1 \"a\" true)"},
      {"[[1], [2, 3], []]", "(set (set 1) (set 2 3) (set))"},
      {"[1 + 1, context.a]", "(set (+ 1 1) (. context \"a\"))"},
      {"{}", "(record)"},
      {"{a: 1, \"b c\": 2}", "(record \"a\" 1 \"b c\" 2)"},
      {"{\"if\": 1}", "(record \"if\" 1)"},
      {"{principal: principal, action: 1}", "(record \"principal\" principal \"action\" 1)"},
      {"{a: {b: [1]}}", "(record \"a\" (record \"b\" (set 1)))"},
      {"{ a : 1 , b : 2 }", "(record \"a\" 1 \"b\" 2)"},
  });
  check_errors({
      {"permit (principal, action, resource) when { {a: 1, a: 2} == context };", "record",
       "duplicate key `a` in record literal", 1, 52},
      {"permit (principal, action, resource) when { {a: 1, \"a\": 2} == context };", "record",
       "duplicate key `a`", 1, 52},
  });
  check_rejected({"[1, 2", "[1 2]", "[,]", "{a 1}", "{a: }", "{1: 2}", "{a: 1 b: 2}", "{a: 1", "{,}"});
}

TEST_CASE("parse: string escapes decode") {
  CHECK(string_value(R"("plain")") == "plain");
  CHECK(string_value(R"("")") == "");
  CHECK(string_value(R"("a\nb")") == "a\nb");
  CHECK(string_value(R"("a\rb")") == "a\rb");
  CHECK(string_value(R"("a\tb")") == "a\tb");
  CHECK(string_value(R"("a\\b")") == "a\\b");
  CHECK(string_value(R"("a\"b")") == "a\"b");
  CHECK(string_value(R"("a\'b")") == "a'b");
  CHECK(string_value(R"("a\0b")") == std::string("a\0b", 3));
  CHECK(string_value(R"("\x41\x7f\x7F\x00")") == std::string("A\x7f\x7f\0", 4));
  CHECK(string_value(R"("\u{41}")") == "A");
  CHECK(string_value(R"("\u{0}")") == std::string("\0", 1));
  CHECK(string_value(R"("\u{e9}")") == "\xC3\xA9");
  CHECK(string_value(R"("\u{20AC}")") == "\xE2\x82\xAC");
  CHECK(string_value(R"("\u{1F600}")") == "\xF0\x9F\x98\x80");
  CHECK(string_value(R"("\u{01F600}")") == "\xF0\x9F\x98\x80");
  CHECK(string_value(R"("\u{10FFFF}")") == "\xF4\x8F\xBF\xBF");
  CHECK(string_value("\"line one\nline two\"") == "line one\nline two");  // strings may span lines
  CHECK(string_value("\"caf\xC3\xA9 // not a comment\"") == "caf\xC3\xA9 // not a comment");
  CHECK(string_value(R"("a;b")") == "a;b");
}

TEST_CASE("parse: bad string escapes are rejected") {
  for (const char* literal :
       {R"("\a")",       R"("\b")",         R"("\q")",    R"("\ ")",          R"("\U")",
        R"("\*")",       R"("\x")",         R"("\x4")",   R"("\xFF")",        R"("\x80")",
        R"("\xG1")",     R"("\u1234")",     R"("\u{}")",  R"("\u{1234567}")", R"("\u{D800}")",
        R"("\u{DFFF}")", R"("\u{110000}")", R"("\u{41")", R"("\u{zz}")",      R"("\u")"}) {
    const std::string text =
        std::string("permit (principal, action, resource) when { ") + literal + " == \"\" };";
    CAPTURE(text);
    const auto ds = compile_errors(text);
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.front().code == "string");
    CHECK(ds.front().message.find("escape") != std::string::npos);
    CHECK(ds.front().where.column == 45);  // the string literal
  }
  // Escapes are checked everywhere a string appears: entity ids, annotation values, record
  // keys, `[...]` access, `has` names.
  for (const char* text : {
           "permit (principal == User::\"\\q\", action, resource);",
           "@reason(\"\\q\") permit (principal, action, resource);",
           "permit (principal, action, resource) when { {\"\\q\": 1} == context };",
           "permit (principal, action, resource) when { context[\"\\q\"] };",
           "permit (principal, action, resource) when { context has \"\\q\" };",
       }) {
    const std::string source = text;
    CAPTURE(source);
    const auto ds = compile_errors(text);
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.front().message.find("escape") != std::string::npos);
  }
}

TEST_CASE("parse: unterminated strings are errors") {
  for (const char* text : {"permit (principal, action, resource) when { \"abc };",
                           "permit (principal == User::\"a, action, resource);",
                           "@id(\"x) permit (principal, action, resource);",
                           "permit (principal, action, resource) when { \"abc\\\" };"}) {
    const std::string source = text;
    CAPTURE(source);
    const auto ds = compile_errors(text);
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.front().code == "parse");
    CHECK(ds.front().message.find("unterminated string") != std::string::npos);
  }
}

TEST_CASE("parse: comments and whitespace") {
  const parsed_text p = parse(
      "// leading comment\n"
      "@id(\"c\") // after an annotation\n"
      "permit ( // inside the scope\n"
      "  principal, // after principal\n"
      "  action,\r\n"
      "\tresource\n"
      ") when { 1 // inside an expression\n"
      "  + 2 == 3 } // after a condition\n"
      ";// before the end, no newline at the end");
  REQUIRE_MESSAGE(p.diagnostics.empty(), first_message(p.diagnostics));
  REQUIRE(p.ast->policies.size() == 1);
  CHECK(sexpr(*p.ast, p.ast->policies[0].conditions.at(0).body) == "(== (+ 1 2) 3)");
  CHECK(p.ast->policies[0].annotations.at(0).value == "c");

  for (const char* empty :
       {"", "   \n\t\r\n", "// only a comment", "// one\n// two\n", "/// triple slash\n"}) {
    const std::string source = empty;
    CAPTURE(source);
    const auto compiled = mandate::policy_set::compile(empty, "empty.cedar");
    REQUIRE(compiled.has_value());
    CHECK(compiled->size() == 0);
  }
  // There are no block comments.
  CHECK_FALSE(compile_errors("/* block */ permit (principal, action, resource);").empty());
}

TEST_CASE("parse: annotations with and without values") {
  const parsed_text p = parse(
      "@id(\"pay-approval\")\n"
      "@reason(\"payments above 100\\nneed a human\")\n"
      "@approvers ( \"billing-admins\" )\n"
      "@experimental\n"
      "@if(\"reserved words are annotation keys\")\n"
      "@_under_score2(\"\")\n"
      "require_approval (principal, action == Action::\"pay\", resource) when { context.amount > 100 };");
  REQUIRE_MESSAGE(p.diagnostics.empty(), first_message(p.diagnostics));
  const auto& policy = p.ast->policies.at(0);
  REQUIRE(policy.annotations.size() == 6);
  const std::pair<const char*, const char*> expected[] = {
      {"id", "pay-approval"}, {"reason", "payments above 100\nneed a human"}, {"approvers", "billing-admins"},
      {"experimental", ""},   {"if", "reserved words are annotation keys"},   {"_under_score2", ""},
  };
  for (std::size_t i = 0; i < policy.annotations.size(); ++i) {
    CHECK(policy.annotations[i].key == expected[i].first);
    CHECK(policy.annotations[i].value == expected[i].second);
  }
  REQUIRE(policy.find_annotation("experimental") != nullptr);
  CHECK(policy.find_annotation("missing") == nullptr);
  CHECK(policy.kind == mandate::detail::effect::require_approval);

  check_errors({
      {"@id(\"a\")\n@id(\"b\")\npermit (principal, action, resource);", "annotation",
       "duplicate annotation `@id`", 2, 1},
      {"@reason(\"a\") @reason permit (principal, action, resource);", "annotation", "duplicate annotation",
       1, 14},
      {"@ permit (principal, action, resource);", "parse", "annotation name", 1, 2},
      {"@id(x) permit (principal, action, resource);", "parse", "string literal", 1, 5},
      {"@id(\"x\" permit (principal, action, resource);", "parse", "expected `)`", 1, 9},
      {"@id(\"x\");", "parse", "expected `permit`", 1, 9},
  });
}

TEST_CASE("parse: unknown effect keywords are rejected") {
  check_errors({
      {"allow (principal, action, resource);", "parse", "expected `permit`, `forbid` or `require_approval`",
       1, 1},
      {"permit (principal, action, resource);\nPermit (principal, action, resource);", "parse",
       "expected `permit`", 2, 1},
      {"require-approval (principal, action, resource);", "parse", "expected `permit`", 1, 1},
      {"permitted (principal, action, resource);", "parse", "expected `permit`", 1, 1},
      {"when (principal, action, resource);", "parse", "expected `permit`", 1, 1},
  });
}

TEST_CASE("parse: template slots in the scope, and only there") {
  const parsed_text p = parse(
      "permit (principal == ?principal, action, resource in ?resource);\n"
      "permit (principal in ?principal, action, resource == ?resource);\n"
      "permit (principal is User in ?principal, action, resource is Doc in ?resource);");
  REQUIRE_MESSAGE(p.diagnostics.empty(), first_message(p.diagnostics));
  REQUIRE(p.ast->policies.size() == 3);
  for (const auto& policy : p.ast->policies) {
    CHECK(policy.principal.slot);
    CHECK(policy.resource.slot);
  }
  CHECK(scope_text(p.ast->policies[0].principal) == "== ?slot");
  CHECK(scope_text(p.ast->policies[0].resource) == "in ?slot");
  CHECK(scope_text(p.ast->policies[2].principal) == "is User in ?slot");

  check_errors({
      {"permit (principal, action, resource) when { principal == ?principal };", "slot", "template slots", 1,
       58},
      {"permit (principal, action, resource) unless { ?resource.owner == principal };", "slot",
       "template slots", 1, 47},
      {"permit (principal == ?resource, action, resource);", "slot", "`?principal`", 1, 22},
      {"permit (principal, action, resource in ?principal);", "slot", "`?resource`", 1, 40},
      {"permit (principal, action == ?action, resource);", "parse", "", 1, 30},
      {"permit (principal, action, resource == ?other);", "parse", "", 1, 40},
  });
}

TEST_CASE("parse: templates compile with positional ids and decide nothing until linked") {
  const auto compiled = mandate::policy_set::compile(
      "permit (principal, action, resource);\n"
      "@id(\"share\")\n"
      "permit (principal == ?principal, action in [Action::\"view\"], resource in ?resource);\n"
      "permit (principal, action, resource == ?resource);");
  REQUIRE(compiled.has_value());
  CHECK(compiled->template_ids() == std::vector<std::string>{"share", "policy2"});
  CHECK(compiled->policy_ids() == std::vector<std::string>{"policy0", "share", "policy2"});
}

TEST_CASE("parse: spans of policies, conditions and operators") {
  const std::string text =
      "@id(\"p\")\n"
      "permit (principal, action, resource)\n"
      "when { context.a + 1 > 2 };\n";
  const parsed_text p = parse(text);
  REQUIRE(p.diagnostics.empty());
  auto slice = [&](const mandate::detail::source_span& s) { return text.substr(s.begin, s.end - s.begin); };
  const auto& policy = p.ast->policies.at(0);
  CHECK(slice(policy.span) == text.substr(0, text.size() - 1));
  CHECK(slice(policy.annotations.at(0).span) == "@id(\"p\")");
  CHECK(slice(policy.conditions.at(0).span) == "when { context.a + 1 > 2 }");
  const expr& comparison = p.ast->at(policy.conditions[0].body);
  CHECK(slice(comparison.span) == "context.a + 1 > 2");
  CHECK(slice(p.ast->at(comparison.a).span) == "context.a + 1");
  CHECK(slice(p.ast->at(comparison.b).span) == "2");
  CHECK(slice(policy.principal.span).substr(0, 9) == "principal");
}

TEST_CASE("parse: the parser recovers at `;` and reports every broken policy") {
  const std::string text =
      "permit (principal, action, resource) when { 1 + };\n"  // line 1: syntax error
      "permit (principal, action, resource);\n"
      "forbid (principal, action, resource) when { \";\" == \"\\q\" };\n"  // line 3: bad escape
      "forbid (principal, action, resource) when { context.ok };\n"
      "oops;\n"  // line 5: unknown effect
      "permit (principal, action, resource) when { // ; in a comment\n"
      "  [1, };\n";  // line 7: syntax error
  const parsed_text p = parse(text);
  REQUIRE(p.diagnostics.size() == 4);
  CHECK(p.diagnostics[0].where.line == 1);
  CHECK(p.diagnostics[1].where.line == 3);
  CHECK(p.diagnostics[2].where.line == 5);
  CHECK(p.diagnostics[3].where.line == 7);
  // The good policies are still parsed.
  REQUIRE(p.ast->policies.size() == 2);
  CHECK(p.ast->policies[0].kind == mandate::detail::effect::permit);
  CHECK(p.ast->policies[1].kind == mandate::detail::effect::forbid);
}

// ---- policy ids ----------------------------------------------------------------------------

TEST_CASE("parse: ids are @id when present, else policyN by position") {
  const auto compiled = mandate::policy_set::compile(
      "permit (principal, action == Action::\"ping\", resource);\n"
      "@id(\"admins\") permit (principal in Group::\"admins\", action, resource);\n"
      "forbid (principal, action, resource) when { context.locked };\n"
      "@reason(\"no id\") permit (principal, action, resource);\n"
      "@id(\"policy9\") permit (principal, action, resource);\n",
      "ids.cedar");
  REQUIRE(compiled.has_value());
  CHECK(compiled->policy_ids() ==
        std::vector<std::string>{"policy0", "admins", "policy2", "policy3", "policy9"});
}

// Positional ids count every policy, broken ones included (REFERENCE.md section 12), so
// diagnostics name the right policy and a later `@id("policyN")` does not collide.
TEST_CASE("parse: positional ids count policies that failed to parse") {
  // The broken first policy still takes position 0, so the third one's `@id("policy1")`
  // collides with the second policy's positional id.
  const auto counted = compile_errors(
      "permit (principal, action resource);\n"
      "permit (principal, action, resource);\n"
      "@id(\"policy1\") permit (principal, action, resource);");
  REQUIRE(counted.size() == 2);
  CHECK(counted[0].code == "parse");
  CHECK(counted[1].code == "duplicate-id");
  CHECK(counted[1].message.find("`policy1`") != std::string::npos);

  // Only the unknown function is wrong here; there is no duplicate id.
  const auto no_collision = compile_errors(
      "permit (principal, action, resource) when { foo() };\n"
      "@id(\"policy1\") permit (principal, action, resource);\n"
      "permit (principal, action, resource);");
  REQUIRE(no_collision.size() == 1);
  CHECK(no_collision[0].code == "function");
}

// REFERENCE.md promises these messages (section 5: an unknown bare identifier names the
// variables; section 6.4: `a < b < c` says to use parentheses).
TEST_CASE("parse: diagnostics promised by the reference say what is wrong") {
  const auto unknown_variable =
      compile_errors("permit (principal, action, resource) when { user.name == \"a\" };");
  REQUIRE_FALSE(unknown_variable.empty());
  CHECK(unknown_variable[0].message.find("variable") != std::string::npos);
  const auto chained = compile_errors("permit (principal, action, resource) when { 1 < 2 < 3 };");
  REQUIRE_FALSE(chained.empty());
  CHECK(chained[0].message.find("parenthes") != std::string::npos);
}

TEST_CASE("parse: positional ids run on across sources") {
  const std::vector<mandate::policy_source> sources = {
      {"a.cedar", "permit (principal, action, resource);\n@id(\"a1\") forbid (principal, action, resource);"},
      {"b.cedar", "// nothing but a comment"},
      {"c.cedar", "permit (principal, action, resource);\npermit (principal, action, resource);"},
  };
  const auto compiled = mandate::policy_set::compile(sources);
  REQUIRE(compiled.has_value());
  CHECK(compiled->size() == 4);
  CHECK(compiled->policy_ids() == std::vector<std::string>{"policy0", "a1", "policy2", "policy3"});
}

TEST_CASE("parse: duplicate ids are rejected") {
  SUBCASE("two equal @ids in one source") {
    const auto ds = compile_errors(
        "@id(\"x\") permit (principal, action, resource);\n"
        "permit (principal, action, resource);\n"
        "@id(\"x\") forbid (principal, action, resource);");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "duplicate-id");
    CHECK(ds[0].message.find("duplicate policy id `x`") != std::string::npos);
    CHECK(ds[0].where.line == 3);  // the second one
    CHECK(ds[0].where.column == 1);
  }
  SUBCASE("an @id that collides with a positional id") {
    const auto ds = compile_errors(
        "permit (principal, action, resource);\n"
        "@id(\"policy0\") forbid (principal, action, resource);");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("`policy0`") != std::string::npos);
  }
  SUBCASE("equal @ids in two sources") {
    const std::vector<mandate::policy_source> sources = {
        {"one.cedar", "@id(\"shared\") permit (principal, action, resource);"},
        {"two.cedar", "\n@id(\"shared\") permit (principal, action, resource);"},
    };
    const auto compiled = mandate::policy_set::compile(sources);
    REQUIRE_FALSE(compiled.has_value());
    REQUIRE(compiled.error().size() == 1);
    CHECK(compiled.error()[0].message.find("`shared`") != std::string::npos);
    CHECK(compiled.error()[0].where.file == "two.cedar");
    CHECK(compiled.error()[0].where.line == 2);
  }
  SUBCASE("three equal ids give an error for each repeat") {
    const auto ds = compile_errors(
        "@id(\"t\") permit (principal, action, resource);\n"
        "@id(\"t\") permit (principal, action, resource);\n"
        "@id(\"t\") permit (principal, action, resource);");
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].where.line == 2);
    CHECK(ds[1].where.line == 3);
  }
}

TEST_CASE("parse: compile reports every error with a position in the right source") {
  const std::vector<mandate::policy_source> sources = {
      {"good.cedar", "permit (principal, action, resource);"},
      {"bad.cedar",
       "permit (principal, action, resource)\nwhen { 1 + };\nforbid (principal, action resource);"},
  };
  const auto compiled = mandate::policy_set::compile(sources);
  REQUIRE_FALSE(compiled.has_value());
  const auto& ds = compiled.error();
  REQUIRE(ds.size() == 2);
  for (const auto& d : ds) CHECK(d.where.file == "bad.cedar");
  CHECK(ds[0].where.line == 2);
  CHECK(ds[0].where.column == 12);
  CHECK(ds[0].source_line == "when { 1 + };");
  CHECK(ds[1].where.line == 3);
  CHECK(ds[1].where.column == 27);
  CHECK(ds[1].message.find("`,`") != std::string::npos);
}
