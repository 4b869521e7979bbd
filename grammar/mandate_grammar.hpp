// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The PEGTL grammar of Mandate's policy language: Cedar's grammar, plus the
// `require_approval` effect, Dogwood's `temporal { ... }` blocks and `def` macros. The language reference
// beside this file (REFERENCE.md) gives the same grammar as EBNF with examples. lib/parse turns the parse
// tree into the AST.
//
// Only lib/parse includes this header: no PEGTL type leaves the parser.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

#include "lexical.hpp"

namespace mandate::grammar {

namespace peg = tao::pegtl;
using peg::any;
using peg::eof;
using peg::eolf;
using peg::if_must;
using peg::list;
using peg::must;
using peg::not_at;
using peg::not_one;
using peg::one;
using peg::opt;
using peg::plus;
using peg::ranges;
using peg::seq;
using peg::sor;
using peg::star;
using peg::string;
using peg::two;
using peg::until;

// ---- lexical ------------------------------------------------------------------------------

using lexical::ident_other;
using lexical::identifier_chars;
using lexical::keyword;
using lexical::line_comment;
using lexical::sep;
using lexical::whitespace;

struct kw_permit : keyword<'p', 'e', 'r', 'm', 'i', 't'> {};
struct kw_forbid : keyword<'f', 'o', 'r', 'b', 'i', 'd'> {};
struct kw_require_approval
    : keyword<'r', 'e', 'q', 'u', 'i', 'r', 'e', '_', 'a', 'p', 'p', 'r', 'o', 'v', 'a', 'l'> {};
struct kw_when : keyword<'w', 'h', 'e', 'n'> {};
struct kw_unless : keyword<'u', 'n', 'l', 'e', 's', 's'> {};
struct kw_principal : keyword<'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l'> {};
struct kw_action : keyword<'a', 'c', 't', 'i', 'o', 'n'> {};
struct kw_resource : keyword<'r', 'e', 's', 'o', 'u', 'r', 'c', 'e'> {};
struct kw_context : keyword<'c', 'o', 'n', 't', 'e', 'x', 't'> {};
struct kw_in : keyword<'i', 'n'> {};
struct kw_is : keyword<'i', 's'> {};
struct kw_has : keyword<'h', 'a', 's'> {};
struct kw_like : keyword<'l', 'i', 'k', 'e'> {};
struct kw_if : keyword<'i', 'f'> {};
struct kw_then : keyword<'t', 'h', 'e', 'n'> {};
struct kw_else : keyword<'e', 'l', 's', 'e'> {};
struct kw_true : keyword<'t', 'r', 'u', 'e'> {};
struct kw_false : keyword<'f', 'a', 'l', 's', 'e'> {};
struct kw_temporal : keyword<'t', 'e', 'm', 'p', 'o', 'r', 'a', 'l'> {};
struct kw_guardrails : keyword<'g', 'u', 'a', 'r', 'd', 'r', 'a', 'i', 'l', 's'> {};
struct kw_def : keyword<'d', 'e', 'f'> {};
struct kw_cedar : keyword<'c', 'e', 'd', 'a', 'r'> {};

// Cedar's reserved identifiers may not name a type, a function or a variable.
struct reserved_word : sor<kw_true, kw_false, kw_if, kw_then, kw_else, kw_in, kw_is, kw_like, kw_has,
                           keyword<'_', '_', 'c', 'e', 'd', 'a', 'r'>> {};
struct identifier : seq<not_at<reserved_word>, identifier_chars> {};

// A name after `.`, in `has`, or as a record key: any identifier but a reserved word
// (`context["if"]` reaches an attribute named `if`).
struct attr_name : identifier {};
struct reserved_attr_name : seq<reserved_word, peg::raise<reserved_attr_name>> {};
struct path_segment : identifier {};
struct type_path : seq<path_segment, star<sep, two<':'>, sep, path_segment>> {};

using lexical::string_char;
struct string_body : star<string_char> {};
struct lit_string : seq<one<'"'>, string_body, must<one<'"'>>> {};
struct pattern_lit : seq<one<'"'>, string_body, must<one<'"'>>> {};
struct lit_int : plus<peg::digit> {};
struct lit_true : kw_true {};
struct lit_false : kw_false {};

// ---- expressions (Cedar's precedence, loosest first) ---------------------------------------

struct expr;

/// Wraps a rule that nests (parentheses, brackets, braces, if-then-else) and counts the
/// depth on the input, so 10,000 `(` give a diagnostic rather than a stack overflow. The
/// limit is read from `nesting_limit()`, set by the parser for each parse.
std::size_t& nesting_limit() noexcept;
struct nesting_too_deep : peg::failure {};

struct parse_nesting_limit {
  static std::size_t get() noexcept { return nesting_limit(); }
};
template <typename Rule>
using nested = lexical::depth_guarded<Rule, nesting_too_deep, parse_nesting_limit>;

struct var_principal : kw_principal {};
struct var_action : kw_action {};
struct var_resource : kw_resource {};
struct var_context : kw_context {};
struct slot_principal : seq<one<'?'>, kw_principal> {};
struct slot_resource : seq<one<'?'>, kw_resource> {};

struct entity_ref : seq<type_path, sep, two<':'>, sep, lit_string> {};
struct expr_list : list<nested<expr>, one<','>, whitespace> {};
struct close_paren : one<')'> {};
struct close_bracket : one<']'> {};
struct close_brace : one<'}'> {};
struct call_args : if_must<one<'('>, sep, opt<expr_list>, sep, close_paren> {};
struct function_call : seq<type_path, sep, call_args> {};
struct parenthesized : if_must<one<'('>, sep, nested<expr>, sep, close_paren> {};
struct set_lit : if_must<one<'['>, sep, opt<expr_list, sep, opt<one<','>, sep>>, close_bracket> {};
struct record_key : sor<lit_string, attr_name> {};
struct record_colon : one<':'> {};
struct record_entry : seq<record_key, sep, must<record_colon>, sep, must<nested<expr>>> {};
struct record_lit
    : if_must<one<'{'>, sep, opt<list<record_entry, one<','>, whitespace>, sep, opt<one<','>, sep>>,
              close_brace> {};

// The body of a `temporal { ... }` block or of a `def` macro is another language (Dogwood's
// temporal conditions), parsed by lib/temporal from the raw text: here only its braces are
// matched, skipping strings and comments so a `}` inside them does not end the block.
struct raw_string : seq<one<'"'>, string_body, must<one<'"'>>> {};
struct raw_body;
struct raw_braces : if_must<one<'{'>, nested<raw_body>, close_brace> {};
struct raw_body : star<sor<raw_string, line_comment, raw_braces, not_one<'{', '}', '"'>>> {};
struct temporal_body : raw_body {};
struct temporal_block : if_must<kw_temporal, sep, one<'{'>, temporal_body, close_brace> {};
// `?name` names a parameter inside a `def cedar` macro body.
struct macro_param : seq<one<'?'>, identifier_chars> {};

// A bare name that is none of the four variables: named in its own error message.
struct unknown_variable : seq<identifier, peg::raise<unknown_variable>> {};
struct primary : sor<lit_true, lit_false, lit_int, lit_string, slot_principal, slot_resource, var_principal,
                     var_action, var_resource, var_context, temporal_block, entity_ref, function_call,
                     parenthesized, set_lit, record_lit, macro_param, unknown_variable> {};

struct method_access : seq<one<'.'>, sep, attr_name, sep, call_args> {};
struct attr_access : if_must<one<'.'>, sep, sor<attr_name, reserved_attr_name>> {};
struct index_access : if_must<one<'['>, sep, lit_string, sep, close_bracket> {};
struct member_expr : seq<primary, star<sep, sor<method_access, attr_access, index_access>>> {};

struct op_not : one<'!'> {};
struct op_negate : one<'-'> {};
struct unary_expr : sor<seq<plus<sor<op_not, op_negate>, sep>, must<member_expr>>, member_expr> {};

struct op_multiply : one<'*'> {};
struct mul_expr : seq<unary_expr, star<sep, op_multiply, sep, must<unary_expr>>> {};
struct op_plus : one<'+'> {};
struct op_minus : one<'-'> {};
struct add_expr : seq<mul_expr, star<sep, sor<op_plus, op_minus>, sep, must<mul_expr>>> {};

struct op_eq : two<'='> {};
struct op_ne : string<'!', '='> {};
struct op_le : string<'<', '='> {};
struct op_ge : string<'>', '='> {};
struct op_lt : one<'<'> {};
struct op_gt : one<'>'> {};
struct op_in : kw_in {};
struct comparison : seq<sor<op_eq, op_ne, op_le, op_ge, op_lt, op_gt, op_in>, sep, must<add_expr>> {};
struct has_path : list<attr_name, one<'.'>, whitespace> {};
struct has_test : if_must<kw_has, sep, sor<lit_string, has_path>> {};
struct like_test : if_must<kw_like, sep, pattern_lit> {};
struct is_in : if_must<kw_in, sep, add_expr> {};
struct is_test : if_must<kw_is, sep, type_path, opt<sep, is_in>> {};
// `=` alone and chained comparisons are common slips; each gets its own message.
struct single_equals : seq<peg::at<one<'='>, not_at<one<'='>>>, peg::raise<single_equals>> {};
struct relational_operator : sor<op_eq, op_ne, op_le, op_ge, op_lt, op_gt, op_in> {};
struct chained_comparison : seq<peg::at<relational_operator>, peg::raise<chained_comparison>> {};
struct relation : seq<add_expr, opt<sep, sor<comparison, has_test, like_test, is_test, single_equals>>,
                      opt<sep, chained_comparison>> {};

struct op_and : two<'&'> {};
struct and_expr : seq<relation, star<sep, op_and, sep, must<relation>>> {};
struct op_or : two<'|'> {};
struct or_expr : seq<and_expr, star<sep, op_or, sep, must<and_expr>>> {};

struct then_kw : kw_then {};
struct else_kw : kw_else {};
struct if_expr
    : if_must<kw_if, sep, nested<expr>, sep, then_kw, sep, nested<expr>, sep, else_kw, sep, nested<expr>> {};
struct expr : sor<if_expr, or_expr> {};

// ---- policies ------------------------------------------------------------------------------

struct annotation_key : identifier_chars {};
struct annotation_value : if_must<one<'('>, sep, lit_string, sep, close_paren> {};
struct annotation : if_must<one<'@'>, annotation_key, sep, opt<annotation_value>> {};

struct effect_permit : kw_permit {};
struct effect_forbid : kw_forbid {};
struct effect_require_approval : kw_require_approval {};
struct effect : sor<effect_permit, effect_forbid, effect_require_approval> {};

struct entity_or_slot : sor<slot_principal, slot_resource, entity_ref> {};
struct scope_eq : if_must<op_eq, sep, entity_or_slot> {};
struct scope_in : if_must<kw_in, sep, entity_or_slot> {};
struct scope_is : if_must<kw_is, sep, type_path, opt<sep, scope_in>> {};
struct principal_scope : if_must<kw_principal, sep, opt<sor<scope_eq, scope_is, scope_in>>> {};
struct resource_scope : if_must<kw_resource, sep, opt<sor<scope_eq, scope_is, scope_in>>> {};

struct entity_list
    : if_must<one<'['>, sep, opt<list<entity_ref, one<','>, whitespace>, sep, opt<one<','>, sep>>,
              close_bracket> {};
struct action_eq : if_must<op_eq, sep, entity_ref> {};
struct action_in : if_must<kw_in, sep, sor<entity_list, entity_ref>> {};
struct action_scope : if_must<kw_action, sep, opt<sor<action_eq, action_in>>> {};

struct cond_when : kw_when {};
struct cond_unless : kw_unless {};
struct open_brace : one<'{'> {};
struct condition_body : nested<expr> {};
// `guardrails { E }` is Dogwood's spelling of a plain `{ E }`; `when temporal { ... }` is a
// clause whose whole body is a temporal condition.
struct plain_condition
    : seq<opt<kw_guardrails, sep>, open_brace, sep, must<condition_body>, sep, must<close_brace>> {};
struct condition : if_must<sor<cond_when, cond_unless>, sep, sor<temporal_block, plain_condition>> {};

struct comma : one<','> {};
struct open_paren : one<'('> {};
struct semicolon : one<';'> {};
struct policy_scope : seq<must<principal_scope>, sep, must<comma>, sep, must<action_scope>, sep, must<comma>,
                          sep, must<resource_scope>> {};
struct policy : seq<star<annotation, sep>, must<effect>, sep, must<open_paren>, sep, must<policy_scope>, sep,
                    must<close_paren>, sep, star<condition, sep>, must<semicolon>> {};

// Mandate's ordered levels, declared beside the policies (LANGUAGE.md 2.6):
//   ordered enum Sensitivity ["public", "internal", "confidential", "restricted"];
// Levels are entities of that type, lowest first; `<`, `<=`, `>`, `>=` compare them by rank.
struct kw_ordered : keyword<'o', 'r', 'd', 'e', 'r', 'e', 'd'> {};
struct kw_enum : keyword<'e', 'n', 'u', 'm'> {};
struct level_list
    : if_must<one<'['>, sep, list<lit_string, one<','>, whitespace>, sep, opt<one<','>, sep>, close_bracket> {
};
struct level_declaration
    : if_must<seq<kw_ordered, sep, kw_enum>, sep, type_path, sep, level_list, sep, semicolon> {};

// Dogwood's macros: `def temporal name(?a, ?b) { temporal condition };` and
// `def cedar name(?a) { Cedar expression };`, usable in any policy of the set.
struct macro_kind_temporal : kw_temporal {};
struct macro_kind_cedar : kw_cedar {};
struct macro_kind : sor<macro_kind_temporal, macro_kind_cedar> {};
struct macro_name : identifier {};
struct macro_params : if_must<one<'('>, sep, opt<list<macro_param, one<','>, whitespace>, sep>, close_paren> {
};
struct macro_body : raw_body {};
struct macro_declaration : if_must<kw_def, sep, macro_kind, sep, macro_name, sep, macro_params, sep,
                                   open_brace, macro_body, close_brace, sep, semicolon> {};

/// One step of the policy-set loop: skip space and comments, then a declaration, a policy or
/// the end.
struct next_policy : seq<sep, sor<eof, level_declaration, macro_declaration, policy>> {};

/// A `def cedar` macro's body, parsed where the macro is used.
struct macro_expression : seq<sep, condition_body, sep, eof> {};

}  // namespace mandate::grammar
