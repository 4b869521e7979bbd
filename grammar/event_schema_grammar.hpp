// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The PEGTL grammar of Dogwood's event schemas (`.dwschema`), after Dogwood's formal
// specification (section 2.6):
//
//   Schema     := [MaxWindow] {EventDecl}
//   MaxWindow  := 'max_window' '=' INTEGER ('s' | 'm' | 'h' | 'd')
//   EventDecl  := ['decision'] 'event' '<' IDENT '>' '::' IDENT '{' [Fields] '}'
//   Fields     := Field {',' Field} [',']
//   Field      := '...' Selector '(' IDENT ')'
//               | ['pin'] IDENT ':' Type ['=' PinRef]
//   Selector   := 'inputs' | 'outputs' | 'principalType' | 'resourceType'
//   Type       := Selector '(' IDENT ')' | '{' [Fields] '}' | IDENT {'::' IDENT}
//   PinRef     := ('principal' | 'resource') {'.' IDENT} | 'context' '.' IDENT {'.' IDENT}
//
// `decision`, `event` and `pin` are contextual: `pin` is the pin prefix only when a field
// `name:` follows it, so a field may be named `pin`. Rules that depend on more than syntax (the
// directive comes first and once, selector arguments name the binder, `pin` goes with `=`) are
// checked by lib/dogwood, which reports them with positions. The grammar accepts `max_window`
// anywhere among the declarations for that reason.
//
// Only lib/dogwood includes this header: no PEGTL type leaves the event-schema parser.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

#include "lexical.hpp"

namespace mandate::event_schema_grammar {

namespace peg = tao::pegtl;
using peg::at;
using peg::eof;
using peg::if_must;
using peg::list;
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

// ---- lexical ------------------------------------------------------------------------------

using lexical::ident_other;
using lexical::keyword;
using lexical::sep;
struct identifier : lexical::identifier_chars {};

struct kw_max_window : keyword<'m', 'a', 'x', '_', 'w', 'i', 'n', 'd', 'o', 'w'> {};
struct kw_decision : keyword<'d', 'e', 'c', 'i', 's', 'i', 'o', 'n'> {};
struct kw_event : keyword<'e', 'v', 'e', 'n', 't'> {};
struct kw_pin : keyword<'p', 'i', 'n'> {};
struct kw_principal : keyword<'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l'> {};
struct kw_resource : keyword<'r', 'e', 's', 'o', 'u', 'r', 'c', 'e'> {};
struct kw_context : keyword<'c', 'o', 'n', 't', 'e', 'x', 't'> {};

struct comma : seq<sep, one<','>, sep> {};
struct colon : one<':'> {};
struct equals : one<'='> {};
struct dot : one<'.'> {};
struct double_colon : two<':'> {};
struct open_angle : one<'<'> {};
struct close_angle : one<'>'> {};
struct open_brace : one<'{'> {};
struct open_paren : one<'('> {};
struct close_paren : one<')'> {};

// ---- nesting guard ------------------------------------------------------------------------

/// Deepest nesting of record field types. Deeper text is an error, so hostile input such as
/// 10,000 `a: {` cannot exhaust the parser's stack.
inline constexpr std::size_t max_record_nesting = 64;
struct record_nesting_too_deep : peg::failure {};

/// Wraps a rule that nests and counts the depth on the input (PEGTL's own depth counter,
/// which this grammar uses for nothing else).
template <typename Rule>
using nested =
    lexical::depth_guarded<Rule, record_nesting_too_deep, lexical::fixed_limit<max_record_nesting>>;

// ---- the max_window directive -------------------------------------------------------------

struct window_amount : plus<peg::digit> {};
struct time_unit : seq<one<'s', 'm', 'h', 'd'>, not_at<ident_other>> {};
struct interval : seq<window_amount, must<time_unit>> {};
struct max_window : if_must<kw_max_window, sep, equals, sep, interval> {};

// ---- selectors ----------------------------------------------------------------------------

struct sel_inputs : keyword<'i', 'n', 'p', 'u', 't', 's'> {};
struct sel_outputs : keyword<'o', 'u', 't', 'p', 'u', 't', 's'> {};
struct sel_principal_type : keyword<'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l', 'T', 'y', 'p', 'e'> {};
struct sel_resource_type : keyword<'r', 'e', 's', 'o', 'u', 'r', 'c', 'e', 'T', 'y', 'p', 'e'> {};
struct selector : sor<sel_inputs, sel_outputs, sel_principal_type, sel_resource_type> {};
struct binder_ref : identifier {};
struct selector_args : seq<sep, must<binder_ref>, sep, must<close_paren>> {};

// ---- fields and types ---------------------------------------------------------------------

struct field;
struct fields : seq<list<field, comma>, opt<comma>> {};

struct spread_selector : selector {};
struct spread : if_must<string<'.', '.', '.'>, sep, spread_selector, sep, open_paren, selector_args> {};

struct selector_type : if_must<seq<selector, sep, open_paren>, selector_args> {};
struct record_close : one<'}'> {};
struct record_body : if_must<open_brace, sep, opt<fields>, sep, record_close> {};
// The depth guard is entered only at a `{`, so exactly 64 levels are allowed.
struct record_type : seq<at<open_brace>, nested<record_body>> {};
struct type_segment : identifier {};
struct concrete_type : seq<type_segment, star<sep, double_colon, sep, must<type_segment>>> {};
struct type_expr : sor<selector_type, record_type, concrete_type> {};

struct pin_segment : identifier {};
struct pin_principal : kw_principal {};
struct pin_resource : kw_resource {};
struct pin_context : kw_context {};
struct pin_tail : star<sep, dot, sep, must<pin_segment>> {};
struct pin_context_ref : if_must<pin_context, sep, dot, sep, pin_segment, pin_tail> {};
struct pin_scope_ref : seq<sor<pin_principal, pin_resource>, pin_tail> {};
struct pin_ref : sor<pin_context_ref, pin_scope_ref> {};
struct pin_value : if_must<equals, sep, pin_ref> {};

// `pin` is the prefix only when `name :` follows it.
struct pin_marker : seq<kw_pin, sep, at<identifier, sep, colon>> {};
struct field_name : identifier {};
struct named_field
    : seq<opt<pin_marker>, field_name, sep, must<colon>, sep, must<type_expr>, opt<sep, pin_value>> {};
struct field : sor<spread, named_field> {};

// ---- event declarations -------------------------------------------------------------------

struct decision_marker : kw_decision {};
struct binder : identifier {};
struct event_kind : identifier {};
struct body_close : one<'}'> {};
struct event_head : seq<opt<decision_marker, sep>, kw_event> {};
struct event_decl : if_must<event_head, sep, open_angle, sep, binder, sep, close_angle, sep, double_colon,
                            sep, event_kind, sep, open_brace, sep, opt<fields>, sep, body_close> {};

struct item : sor<max_window, event_decl> {};
struct schema_end : eof {};
/// A whole event schema: items in any order (lib/dogwood checks that `max_window` leads).
struct schema : seq<sep, star<item, sep>, must<schema_end>> {};

}  // namespace mandate::event_schema_grammar
