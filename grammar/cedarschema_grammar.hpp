// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The PEGTL grammar of Cedar's schema text form (`.cedarschema`), after Cedar's published
// grammar:
//
//   Schema    := {Namespace}
//   Namespace := (Annotations 'namespace' Path '{' {Decl} '}') | Decl
//   Decl      := Entity | Action | TypeDecl
//   Entity    := Annotations 'entity' Idents ['in' EntOrTyps] [['='] RecType] ['tags' Type] ';'
//              | Annotations 'entity' Idents 'enum' '[' STR {',' STR} ']' ';'
//   Action    := Annotations 'action' Names ['in' RefOrRefs] [AppliesTo] ';'
//   TypeDecl  := Annotations 'type' IDENT '=' Type ';'
//   Type      := Path | 'Set' '<' Type '>' | RecType
//   RecType   := '{' [AttrDecls] '}'
//   AttrDecls := Annotations Name ['?'] ':' Type [',' | ',' AttrDecls]
//   AppliesTo := 'appliesTo' '{' AppDecls '}'
//   AppDecls  := ('principal' | 'resource') ':' EntOrTyps | 'context' ':' (RecType | Path), comma-separated
//   Ref       := Path '::' STR | Name        RefOrRefs := Ref | '[' Ref {',' Ref} ']'
//   EntOrTyps := Path | '[' [Path {',' Path}] ']'
//   Name      := IDENT | STR                 Annotation := '@' IDENT ['(' STR ')']
//
// The grammar reads one item at a time (`next_item`): an opening `namespace N {`, a closing
// `}`, or one declaration. lib/schema drives that loop and tracks which namespace is open, so
// after a syntax error it can skip to the next declaration and report several errors per file.
//
// Only lib/schema includes this header: no PEGTL type leaves the schema parser.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

#include "lexical.hpp"

namespace mandate::schema_grammar {

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
using lexical::keyword;
using lexical::line_comment;
using lexical::sep;
using lexical::whitespace;
struct identifier : lexical::identifier_chars {};

struct kw_namespace : keyword<'n', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e'> {};
struct kw_entity : keyword<'e', 'n', 't', 'i', 't', 'y'> {};
struct kw_action : keyword<'a', 'c', 't', 'i', 'o', 'n'> {};
struct kw_type : keyword<'t', 'y', 'p', 'e'> {};
struct kw_in : keyword<'i', 'n'> {};
struct kw_tags : keyword<'t', 'a', 'g', 's'> {};
struct kw_enum : keyword<'e', 'n', 'u', 'm'> {};
struct kw_set : keyword<'S', 'e', 't'> {};
struct kw_applies_to : keyword<'a', 'p', 'p', 'l', 'i', 'e', 's', 'T', 'o'> {};
struct kw_principal : keyword<'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l'> {};
struct kw_resource : keyword<'r', 'e', 's', 'o', 'u', 'r', 'c', 'e'> {};
struct kw_context : keyword<'c', 'o', 'n', 't', 'e', 'x', 't'> {};

using lexical::string_char;
struct string_body : star<string_char> {};
struct close_quote : one<'"'> {};
struct str : seq<one<'"'>, string_body, must<close_quote>> {};

struct comma : one<','> {};
struct colon : one<':'> {};
struct semicolon : one<';'> {};
struct equals : one<'='> {};
struct open_brace : one<'{'> {};
struct close_brace : one<'}'> {};
struct open_bracket : one<'['> {};
struct close_bracket : one<']'> {};
struct open_paren : one<'('> {};
struct close_paren : one<')'> {};
struct open_angle : one<'<'> {};
struct close_angle : one<'>'> {};

// `A::B::C`. A segment never swallows the `::` before a string, so `Action::"read"` is the
// path `Action` followed by `::` and a string.
struct path_segment : identifier {};
struct path : seq<path_segment, star<sep, two<':'>, sep, path_segment>> {};

// ---- nesting guard ------------------------------------------------------------------------

/// Deepest nesting of `Set<...>` and record types. Deeper text is a diagnostic, so hostile
/// input such as 10,000 `Set<` cannot exhaust the parser's stack.
inline constexpr std::size_t max_type_nesting = 64;
struct type_nesting_too_deep : peg::failure {};

/// Wraps a rule that nests and counts the depth on the input (PEGTL's own depth counter,
/// which this grammar uses for nothing else).
template <typename Rule>
using nested = lexical::depth_guarded<Rule, type_nesting_too_deep, lexical::fixed_limit<max_type_nesting>>;

// ---- annotations --------------------------------------------------------------------------

struct annotation_key : identifier {};
struct annotation_text : str {};
struct annotation_value : if_must<open_paren, sep, annotation_text, sep, close_paren> {};
struct annotation : if_must<one<'@'>, annotation_key, sep, opt<annotation_value>> {};
struct annotations : star<annotation, sep> {};

// ---- types --------------------------------------------------------------------------------

struct type_expr;
struct nested_type : nested<type_expr> {};

struct type_ref : path {};
struct set_type : if_must<kw_set, sep, open_angle, sep, nested_type, sep, close_angle> {};

struct attr_key_ident : identifier {};
struct attr_key_str : str {};
struct attr_key : sor<attr_key_str, attr_key_ident> {};
struct optional_mark : one<'?'> {};
struct attr_decl
    : seq<annotations, attr_key, sep, opt<optional_mark, sep>, must<colon>, sep, must<nested_type>> {};
struct attr_list : list<attr_decl, comma, whitespace> {};
struct record_close : close_brace {};
struct record_type : if_must<open_brace, sep, opt<attr_list, sep, opt<comma, sep>>, record_close> {};

struct type_expr : sor<set_type, record_type, type_ref> {};

/// One entity type name, or a bracketed list of them.
struct type_ref_list : if_must<open_bracket, sep,
                               opt<list<type_ref, comma, whitespace>, sep, opt<comma, sep>>, close_bracket> {
};
struct entity_types : sor<type_ref_list, type_ref> {};

// ---- entity declarations ------------------------------------------------------------------

struct entity_name : identifier {};
struct entity_names : list<entity_name, comma, whitespace> {};
struct entity_parents : if_must<kw_in, sep, entity_types> {};
struct entity_shape : sor<if_must<equals, sep, record_type>, record_type> {};
struct entity_tags : if_must<kw_tags, sep, nested_type> {};
struct enum_value : str {};
struct enum_list : list<enum_value, comma, whitespace> {};
struct enum_values
    : if_must<kw_enum, sep, open_bracket, sep, enum_list, sep, opt<comma, sep>, close_bracket> {};
struct entity_body : seq<opt<entity_parents, sep>, opt<entity_shape, sep>, opt<entity_tags, sep>> {};
struct entity_decl
    : if_must<kw_entity, sep, entity_names, sep, sor<seq<enum_values, sep>, entity_body>, semicolon> {};

// ---- action declarations ------------------------------------------------------------------

struct action_name_str : str {};
struct action_name_ident : identifier {};
struct action_name : sor<action_name_str, action_name_ident> {};
struct action_names : list<action_name, comma, whitespace> {};

struct action_type_path : path {};
struct action_ref_id : str {};
struct action_ref_qualified : seq<action_type_path, sep, two<':'>, sep, action_ref_id> {};
struct action_ref : sor<action_ref_qualified, action_name> {};
struct action_ref_list
    : if_must<open_bracket, sep, opt<list<action_ref, comma, whitespace>, sep, opt<comma, sep>>,
              close_bracket> {};
struct action_refs : sor<action_ref_list, action_ref> {};
struct action_parents : if_must<kw_in, sep, action_refs> {};

struct applies_principal : if_must<kw_principal, sep, colon, sep, entity_types> {};
struct applies_resource : if_must<kw_resource, sep, colon, sep, entity_types> {};
// A context is a record: written out, or a common type naming one (`Set<...>` never is).
struct context_type : sor<record_type, seq<not_at<kw_set>, type_ref>> {};
struct applies_context : if_must<kw_context, sep, colon, sep, context_type> {};
struct applies_item : sor<applies_principal, applies_resource, applies_context> {};
struct applies_list : list<applies_item, comma, whitespace> {};
struct applies_close : close_brace {};
struct applies_to
    : if_must<kw_applies_to, sep, open_brace, sep, opt<applies_list, sep, opt<comma, sep>>, applies_close> {};

struct action_decl
    : if_must<kw_action, sep, action_names, sep, opt<action_parents, sep>, opt<applies_to, sep>, semicolon> {
};

// ---- common types and namespaces ----------------------------------------------------------

struct type_name : identifier {};
struct type_decl : if_must<kw_type, sep, type_name, sep, equals, sep, nested_type, sep, semicolon> {};

struct namespace_path : path {};
struct namespace_open : if_must<kw_namespace, sep, namespace_path, sep, open_brace> {};
struct namespace_close : close_brace {};

struct declaration : sor<entity_decl, action_decl, type_decl> {};
struct item_body : sor<namespace_open, declaration> {};
struct annotated_item : seq<annotations, must<item_body>> {};

/// One step of the schema loop: skip space and comments, then the end, a `}` that closes the
/// open namespace, or an (annotated) namespace opening or declaration.
struct next_item : seq<sep, sor<eof, namespace_close, annotated_item>> {};

}  // namespace mandate::schema_grammar
