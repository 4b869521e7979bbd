// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The PEGTL grammar of the body of a `temporal { ... }` block (Dogwood's temporal sub-language,
// 08-formal-specification.md section 2.4), and of `def temporal` macro bodies, which are the
// same text with `?param` and `$fresh` sigils.
//
// Conditions and terms share one expression grammar here: `(count ... ) == n` and `(P && Q)`
// both start with `(`, and a macro call may yield either, so the grammar parses operands
// without deciding, and lib/temporal classifies them (with a message naming what was expected)
// once macros are expanded. That also keeps the grammar free of backtracking over nested
// text: every operand is parsed once.
//
// Precedence, loosest first: `&&` (left-associative), `since`, `!`, comparison. `exists`,
// `count ... where` and `sum ... where` take everything to their right as their body.
//
// Only lib/temporal includes this header: no PEGTL type leaves the parser.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

#include "lexical.hpp"

namespace mandate::temporal_grammar {

namespace peg = tao::pegtl;
using peg::at;
using peg::eof;
using peg::if_must;
using peg::must;
using peg::not_at;
using peg::one;
using peg::opt;
using peg::plus;
using peg::seq;
using peg::sor;
using peg::star;
using peg::string;
using peg::two;

using lexical::ident_other;
using lexical::identifier_chars;
using lexical::keyword;
using lexical::sep;

// ---- words ---------------------------------------------------------------------------------

struct kw_formerly : keyword<'f', 'o', 'r', 'm', 'e', 'r', 'l', 'y'> {};
struct kw_previous : keyword<'p', 'r', 'e', 'v', 'i', 'o', 'u', 's'> {};
struct kw_since : keyword<'s', 'i', 'n', 'c', 'e'> {};
struct kw_within : keyword<'w', 'i', 't', 'h', 'i', 'n'> {};
struct kw_exists : keyword<'e', 'x', 'i', 's', 't', 's'> {};
struct kw_tp : keyword<'t', 'p'> {};
struct kw_count : keyword<'c', 'o', 'u', 'n', 't'> {};
struct kw_sum : keyword<'s', 'u', 'm'> {};
struct kw_for : keyword<'f', 'o', 'r'> {};
struct kw_where : keyword<'w', 'h', 'e', 'r', 'e'> {};
struct kw_true : keyword<'t', 'r', 'u', 'e'> {};
struct kw_false : keyword<'f', 'a', 'l', 's', 'e'> {};
struct kw_context : keyword<'c', 'o', 'n', 't', 'e', 'x', 't'> {};
struct kw_principal : keyword<'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l'> {};
struct kw_resource : keyword<'r', 'e', 's', 'o', 'u', 'r', 'c', 'e'> {};
struct kw_decimal : keyword<'d', 'e', 'c', 'i', 'm', 'a', 'l'> {};
struct kw_let : keyword<'l', 'e', 't'> {};

/// Words that cannot name a variable or a macro.
struct reserved_word
    : sor<kw_formerly, kw_previous, kw_since, kw_within, kw_exists, kw_tp, kw_count, kw_sum, kw_for, kw_where,
          kw_true, kw_false, kw_context, kw_principal, kw_resource, kw_decimal, kw_let> {};
struct lone_underscore : seq<one<'_'>, not_at<ident_other>> {};  // the wildcard `_`, not a name
struct name : seq<not_at<reserved_word>, not_at<lone_underscore>, identifier_chars> {};

// ---- nesting -------------------------------------------------------------------------------

/// The nesting limit of the current parse (set by lib/temporal for each parse).
std::size_t& nesting_limit() noexcept;
struct nesting_too_deep : peg::failure {};

/// Counts nesting depth on the input (as mandate_grammar.hpp's `nested` does), so 10,000 `(`
/// give a diagnostic rather than a stack overflow.
struct block_nesting_limit {
  static std::size_t get() noexcept { return nesting_limit(); }
};
template <typename Rule>
using nested = lexical::depth_guarded<Rule, nesting_too_deep, block_nesting_limit>;

// ---- tokens --------------------------------------------------------------------------------

struct close_paren : one<')'> {};
struct close_brace : one<'}'> {};
struct close_bracket : one<']'> {};
struct binder_colon : one<':'> {};
struct field_colon : one<':'> {};

using lexical::string_char;
struct lit_string : seq<one<'"'>, star<string_char>, must<one<'"'>>> {};
struct lit_int : seq<opt<one<'-'>, sep>, plus<peg::digit>> {};
struct lit_true : kw_true {};
struct lit_false : kw_false {};

struct param_ref : seq<one<'?'>, identifier_chars> {};  // ?name: a macro parameter
struct fresh_ref : seq<one<'$'>, identifier_chars> {};  // $name: a macro's own fresh binder

// `1h`: a window length and its unit (seconds, minutes, hours, days).
struct window_amount : seq<opt<one<'-'>>, plus<peg::digit>> {};
struct time_unit : seq<one<'s', 'm', 'h', 'd'>, not_at<ident_other>> {};
struct window_literal : seq<window_amount, sep, must<time_unit>> {};
struct window : sor<param_ref, window_literal> {};
struct within_clause : if_must<kw_within, sep, window> {};

// ---- binders -------------------------------------------------------------------------------

struct binder_name : name {};
struct binder_slot : sor<param_ref, fresh_ref, binder_name> {};
struct type_segment : identifier_chars {};
struct type_name : seq<type_segment, star<sep, two<':'>, sep, type_segment>> {};
struct typed_binder
    : if_must<one<'('>, sep, binder_slot, sep, binder_colon, sep, type_name, sep, close_paren> {};
struct binder_dot : one<'.'> {};

// ---- conditions and terms ------------------------------------------------------------------

struct condition;
struct relation;
struct operand_body;
struct operand : nested<operand_body> {};

// `a since within W b`, `formerly within W b`: the operand after the window is an atom, a
// single predicate, call, comparison or parenthesized condition. A temporal operator, `exists`
// or `!` there must be parenthesized (Dogwood's grammar has no such atom), and saying so beats
// a confusing error further on.
struct atom_needs_parentheses
    : seq<at<sor<one<'!'>, kw_formerly, kw_previous, kw_exists>>, peg::raise<atom_needs_parentheses>> {};
struct atom : sor<atom_needs_parentheses, relation> {};

struct formerly_op : if_must<kw_formerly, sep, within_clause, sep, atom> {};
struct previous_op : if_must<kw_previous, sep, within_clause, sep, atom> {};
struct exists_body : seq<condition> {};
struct exists_op : if_must<kw_exists, sep, typed_binder, sep, binder_dot, sep, exists_body> {};
struct tp_op : if_must<kw_tp, sep, one<'('>, sep, binder_slot, sep, close_paren> {};

struct for_list
    : if_must<kw_for, sep, typed_binder, star<sep, one<','>, sep, must<typed_binder>>, sep, binder_dot> {};
struct where_body : seq<condition> {};
struct where_clause : if_must<kw_where, sep, where_body> {};
struct count_agg : if_must<kw_count, sep, for_list, sep, where_clause> {};
struct summand : binder_slot {};
struct sum_agg : if_must<kw_sum, sep, summand, sep, for_list, sep, where_clause> {};

// `let x = ... in ...` was removed from Dogwood; it gets its own message.
struct let_binding : seq<kw_let, peg::raise<let_binding>> {};

struct decimal_lit : if_must<seq<kw_decimal, sep, one<'('>>, sep, lit_string, sep, close_paren> {};
struct field_name : identifier_chars {};
struct context_path_tail : plus<sep, one<'.'>, sep, field_name> {};
struct context_field : if_must<kw_context, context_path_tail> {};
struct principal_field : seq<kw_principal, star<sep, one<'.'>, sep, field_name>> {};
struct resource_field : seq<kw_resource, star<sep, one<'.'>, sep, field_name>> {};
struct array_lit
    : if_must<one<'['>, sep, opt<operand, star<sep, one<','>, sep, operand>, sep, opt<one<','>, sep>>,
              close_bracket> {};
struct wildcard : sor<one<'*'>, lone_underscore> {};

// Field patterns: `{ input.user: u, output.ok: true }`, after a predicate or a `?param`.
struct field_path : seq<field_name, star<sep, one<'.'>, sep, field_name>> {};
struct field_value : operand {};
struct named_arg : seq<field_path, sep, must<field_colon>, sep, must<field_value>> {};
struct field_block
    : if_must<one<'{'>, sep, opt<named_arg, star<sep, one<','>, sep, named_arg>, sep, opt<one<','>, sep>>,
              close_brace> {};

struct path_segment : identifier_chars {};
struct type_path : seq<path_segment, star<sep, two<':'>, sep, path_segment>> {};
struct event_kind : identifier_chars {};
// `Ns::Action::"Id"::kind{ ... }{ ... }`: the quoted id separates the action's type from the kind.
struct predicate : seq<type_path, sep, two<':'>, sep, lit_string, sep,
                       if_must<two<':'>, sep, event_kind, sep, field_block>, star<sep, field_block>> {};
// `Ns::Action::"Id"{ ... }` is a predicate without its kind.
struct missing_event_kind : seq<at<one<'{'>>, peg::raise<missing_event_kind>> {};
struct entity_ref : seq<type_path, sep, two<':'>, sep, lit_string, opt<sep, missing_event_kind>> {};
// `Drupe::Action::Login`: a qualified name with no quoted id.
struct missing_entity_id
    : seq<path_segment, plus<sep, two<':'>, sep, path_segment>, peg::raise<missing_entity_id>> {};
struct refinable_param : seq<param_ref, star<sep, field_block>> {};

struct interval_arg : seq<window_amount, sep, time_unit, at<sep, sor<one<','>, one<')'>>>> {};
struct call_arg : sor<interval_arg, condition> {};
struct call_name : name {};
struct call_close : one<')'> {};
struct call
    : seq<call_name, sep,
          if_must<one<'('>, sep, opt<call_arg, star<sep, one<','>, sep, must<call_arg>>>, sep, call_close>> {
};
struct variable : name {};

struct parenthesized : if_must<one<'('>, sep, condition, sep, close_paren> {};

struct operand_body : sor<parenthesized, formerly_op, previous_op, exists_op, tp_op, count_agg, sum_agg,
                          let_binding, decimal_lit, context_field, principal_field, resource_field, lit_true,
                          lit_false, lit_string, lit_int, array_lit, wildcard, refinable_param, fresh_ref,
                          predicate, entity_ref, missing_entity_id, call, variable> {};

struct cmp_le : string<'<', '='> {};
struct cmp_ge : string<'>', '='> {};
struct cmp_eq : two<'='> {};
struct cmp_lt : one<'<'> {};
struct cmp_gt : one<'>'> {};
struct cmp_op : sor<cmp_le, cmp_ge, cmp_eq, cmp_lt, cmp_gt> {};
// `!=` and `=` are common slips; each gets its own message.
struct not_equal : seq<string<'!', '='>, peg::raise<not_equal>> {};
struct single_equals : seq<one<'='>, peg::raise<single_equals>> {};
// Arithmetic and other operators are not part of the language: say which operators are.
struct unknown_operator : seq<at<one<'~', '+', '-', '*', '/', '%', '^'>>, peg::raise<unknown_operator>> {};
struct right_operand : operand {};
struct comparison_tail
    : sor<seq<cmp_op, sep, must<right_operand>>, not_equal, single_equals, unknown_operator> {};
struct relation : seq<operand, opt<sep, comparison_tail>> {};

struct op_not : one<'!'> {};
struct negation : seq<plus<op_not, sep>, must<relation>> {};
struct unary : sor<negation, relation> {};

struct since_tail : if_must<kw_since, sep, within_clause, sep, atom> {};
struct since_expr : seq<unary, opt<sep, since_tail>> {};

struct op_and : two<'&'> {};
// There is no `||` in temporal conditions (two policies express a disjunction).
struct no_disjunction : seq<two<'|'>, peg::raise<no_disjunction>> {};
struct condition : seq<since_expr, star<sep, sor<seq<op_and, sep, must<since_expr>>, no_disjunction>>> {};

struct end_of_block : eof {};
/// The whole body of a `temporal { ... }` block or of a `def temporal` macro.
struct block : seq<sep, must<condition>, sep, must<end_of_block>> {};

}  // namespace mandate::temporal_grammar
