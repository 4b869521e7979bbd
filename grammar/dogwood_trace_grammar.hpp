// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The PEGTL grammar of Dogwood's trace files (`trace_N.log`) and their expected verdicts
// (`expected_N.out`). A trace holds one event per line:
//
//   Line        := '@' Timestamp Blank+ [Scope] [Entities] [RequestContext] Event ['//' ...]
//   Scope       := 'scope' '(' [Fields] ')'                      principal: Uid, resource: Uid
//   Entities    := 'entities' '(' [Entry {',' Entry} [',']] ')'
//   Entry       := Uid ':' Record ['in' '[' [Uid {',' Uid} [',']] ']']
//   RequestContext := 'request_context' '(' [Fields] ')'
//   Event       := Uid '::' IDENT '(' [Fields] ')'               Drupe::Action::"Read"::request(...)
//   Fields      := Field {',' Field} [',']       Field := (IDENT | STR) ':' Value
//   Value       := Record | Array | IDENT '(' STR ')' | Uid | STR | 'true' | 'false' | 'null'
//                | ['-'] DIGITS '.' DIGITS | ['-'] DIGITS
//   Record      := '{' [Fields] '}'              Array := '[' [Value {',' Value} [',']] ']'
//   Uid         := IDENT {'::' IDENT} '::' STR
//
// and an expected verdict per line: `@<ts> (time point <i>): true|false`.
//
// The envelopes are optional but ordered; one met out of order (or twice) is reported as such
// rather than as a malformed event. Lines are parsed one at a time (lib/dogwood/trace.cpp splits
// them), so blanks here never include a newline. The `*_open` rules are hooks for the parser's
// actions, which build values as the match goes (a parse tree would allocate a node per rule
// tried, several times the cost of the values themselves).
//
// Only lib/dogwood includes this header: no PEGTL type leaves the trace parser.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

#include "lexical.hpp"

namespace mandate::dogwood_trace_grammar {

namespace peg = tao::pegtl;
using peg::any;
using peg::at;
using peg::eof;
using peg::if_must;
using peg::list;
using peg::must;
using peg::not_at;
using peg::not_one;
using peg::one;
using peg::opt;
using peg::plus;
using peg::seq;
using peg::sor;
using peg::star;
using peg::two;

// ---- lexical ------------------------------------------------------------------------------

using lexical::ident_other;
using lexical::keyword;

/// Blanks inside one line. A carriage return counts, so CRLF files read like LF files.
struct blank : one<' ', '\t', '\r', '\f', '\v'> {};
struct sep : star<blank> {};
/// A comment runs to the end of the line (the input is one line).
struct trailing_comment : seq<two<'/'>, star<any>> {};

struct identifier : lexical::identifier_chars {};
struct digits : plus<peg::digit> {};

struct kw_scope : keyword<'s', 'c', 'o', 'p', 'e'> {};
struct kw_entities : keyword<'e', 'n', 't', 'i', 't', 'i', 'e', 's'> {};
struct kw_request_context
    : keyword<'r', 'e', 'q', 'u', 'e', 's', 't', '_', 'c', 'o', 'n', 't', 'e', 'x', 't'> {};
struct kw_in : keyword<'i', 'n'> {};
struct kw_true : keyword<'t', 'r', 'u', 'e'> {};
struct kw_false : keyword<'f', 'a', 'l', 's', 'e'> {};
struct kw_null : keyword<'n', 'u', 'l', 'l'> {};

// A string literal; the body keeps its escapes (lib/dogwood decodes them as Cedar does).
// Each use derives its own rule type so the parse tree says which role a string plays.
using lexical::string_char;
struct close_quote : one<'"'> {};
struct string_literal : seq<one<'"'>, star<string_char>, must<close_quote>> {};

struct comma : seq<sep, one<','>, sep> {};
struct colon : one<':'> {};
struct double_colon : two<':'> {};

// ---- nesting guard ------------------------------------------------------------------------

/// Deepest nesting of records and arrays. Deeper text is an error, so a line of 10,000 `[`
/// cannot exhaust the parser's stack (or the converter's, which recurses once per level).
inline constexpr std::size_t max_value_nesting = 64;
struct value_nesting_too_deep : peg::failure {};

/// Wraps a rule that nests and counts the depth on the input (PEGTL's own depth counter,
/// which this grammar uses for nothing else).
template <typename Rule>
using nested = lexical::depth_guarded<Rule, value_nesting_too_deep, lexical::fixed_limit<max_value_nesting>>;

// ---- entity uids --------------------------------------------------------------------------

// `A::B::"id"`. A segment never swallows the `::` before the string, so the type path stops
// at the last identifier.
struct path_segment : identifier {};
struct type_path : seq<path_segment, star<sep, double_colon, sep, path_segment>> {};
struct quoted_id : string_literal {};
struct entity_ref : seq<type_path, sep, double_colon, sep, quoted_id> {};

// ---- values -------------------------------------------------------------------------------

struct value;

struct lit_true : kw_true {};
struct lit_false : kw_false {};
struct lit_null : kw_null {};
struct str_value : string_literal {};
// A number ends where an identifier could not go on: `5abc` is not a number.
struct decimal_number : seq<opt<one<'-'>>, digits, one<'.'>, digits, not_at<ident_other>> {};
struct integer : seq<opt<one<'-'>>, digits, not_at<sor<ident_other, one<'.'>>>> {};

// `decimal("1.5")`, `ip("10.0.0.1")`, ...: an extension constructor of one string.
struct ext_name : identifier {};
struct ext_arg : string_literal {};
struct ext_close : one<')'> {};
struct ext_call : if_must<seq<ext_name, sep, one<'('>>, sep, ext_arg, sep, ext_close> {};

struct key_ident : identifier {};
struct key_string : string_literal {};
struct key : sor<key_string, key_ident> {};
struct field : seq<key, sep, must<colon>, sep, must<value>> {};
struct fields : seq<list<field, comma>, opt<comma>> {};

struct record_open : one<'{'> {};
struct record_close : one<'}'> {};
struct record : if_must<record_open, sep, opt<fields>, sep, record_close> {};
struct array_open : one<'['> {};
struct array_close : one<']'> {};
struct array : if_must<array_open, sep, opt<list<value, comma>, opt<comma>>, sep, array_close> {};

// The depth guard is entered only at an opening bracket, so exactly 64 levels are allowed.
struct nested_record : seq<at<one<'{'>>, nested<record>> {};
struct nested_array : seq<at<one<'['>>, nested<array>> {};
struct value_expr : sor<nested_record, nested_array, ext_call, entity_ref, lit_true, lit_false, lit_null,
                        str_value, decimal_number, integer> {};
struct value : value_expr {};

// ---- envelopes ----------------------------------------------------------------------------

struct scope_open : seq<kw_scope, sep, one<'('>> {};
struct scope_close : one<')'> {};
struct scope_env : if_must<scope_open, sep, opt<fields>, sep, scope_close> {};

struct entity_record : nested<record> {};
struct parent_open : one<'['> {};
struct parent_close : one<']'> {};
struct parent_list : if_must<parent_open, sep, opt<list<entity_ref, comma>, opt<comma>>, sep, parent_close> {
};
struct entity_parents : if_must<kw_in, sep, parent_list> {};
struct entity_entry : seq<entity_ref, sep, must<colon>, sep, must<entity_record>, opt<sep, entity_parents>> {
};
struct entities_open : seq<kw_entities, sep, one<'('>> {};
struct entities_close : one<')'> {};
struct entities_env
    : if_must<entities_open, sep, opt<list<entity_entry, comma>, opt<comma>>, sep, entities_close> {};

struct request_context_open : seq<kw_request_context, sep, one<'('>> {};
struct request_context_close : one<')'> {};
struct request_context_env : if_must<request_context_open, sep, opt<fields>, sep, request_context_close> {};

/// An envelope where only the event may stand: repeated, or after one that must follow it.
struct envelope_start : seq<sor<kw_scope, kw_entities, kw_request_context>, sep, one<'('>> {};
struct misplaced_envelope : seq<at<envelope_start>, peg::raise<misplaced_envelope>> {};

// ---- the event ----------------------------------------------------------------------------

struct event_kind : identifier {};
struct event_open : one<'('> {};
struct event_close : one<')'> {};
struct event : seq<entity_ref, sep, must<double_colon>, sep, must<event_kind>, sep, must<event_open>, sep,
                   opt<fields>, sep, must<event_close>> {};
struct event_or_misplaced : sor<misplaced_envelope, event> {};

struct timestamp : seq<opt<one<'-'>>, digits> {};
struct gap : plus<blank> {};
struct end_of_line : seq<sep, opt<trailing_comment>, eof> {};

/// One event line.
struct line
    : seq<sep, must<one<'@'>>, must<timestamp>, must<gap>, opt<scope_env, sep>, opt<entities_env, sep>,
          opt<request_context_env, sep>, must<event_or_misplaced>, must<end_of_line>> {};

// ---- expected verdicts --------------------------------------------------------------------

struct kw_time : keyword<'t', 'i', 'm', 'e'> {};
struct kw_point : keyword<'p', 'o', 'i', 'n', 't'> {};
struct verdict_point : digits {};
struct verdict_true : kw_true {};
struct verdict_false : kw_false {};
struct verdict : sor<verdict_true, verdict_false> {};
/// `@<ts> (time point <i>): true|false`
struct expected_line : seq<sep, must<one<'@'>>, must<timestamp>, must<gap>, must<one<'('>>, sep,
                           must<kw_time>, must<gap>, must<kw_point>, must<gap>, must<verdict_point>, sep,
                           must<one<')'>>, sep, must<colon>, sep, must<verdict>, sep, must<eof>> {};

}  // namespace mandate::dogwood_trace_grammar
