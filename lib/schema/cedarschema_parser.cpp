// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `.cedarschema` text -> unresolved declarations (schema_builder.hpp). PEGTL reports a syntax
// error by throwing; that stays inside this file and becomes a diagnostic. The reader takes
// one item at a time (a declaration, `namespace N {` or its closing `}`) and tracks the open
// namespace itself, so after an error it can skip to the next declaration and go on.
#include <tao/pegtl/contrib/parse_tree.hpp>

#include <set>
#include <string>
#include <type_traits>

#include "cedarschema_grammar.hpp"
#include "parse/parser.hpp"
#include "schema/schema_builder.hpp"

namespace mandate::detail::schema_build {
namespace {

namespace peg = tao::pegtl;
namespace g = mandate::schema_grammar;
using parse_node = peg::parse_tree::node;

// ---- error messages for the rules a `must` can fail on -----------------------------------

template <typename Rule>
constexpr const char* error_message = nullptr;
#define MANDATE_EXPECT(rule, text) \
  template <>                      \
  constexpr const char* error_message<rule> = text
MANDATE_EXPECT(g::semicolon, "expected `;` at the end of the declaration");
MANDATE_EXPECT(g::close_quote, "unterminated string literal");
MANDATE_EXPECT(g::colon, "expected `:`");
MANDATE_EXPECT(g::equals, "expected `=`");
MANDATE_EXPECT(g::nested_type, "expected a type: a type name, `Set<...>` or a record `{ ... }`");
MANDATE_EXPECT(g::record_close, "expected `,` or `}` in the record type");
MANDATE_EXPECT(g::applies_close, "expected `,` or `}` in `appliesTo`");
MANDATE_EXPECT(g::close_bracket, "expected `,` or `]`");
MANDATE_EXPECT(g::open_bracket, "expected `[`");
MANDATE_EXPECT(g::open_brace, "expected `{`");
MANDATE_EXPECT(g::open_paren, "expected `(`");
MANDATE_EXPECT(g::close_paren, "expected `)`");
MANDATE_EXPECT(g::open_angle, "expected `<` after `Set`");
MANDATE_EXPECT(g::close_angle, "expected `>` to close `Set<`");
MANDATE_EXPECT(g::annotation_text, "expected a string literal");
MANDATE_EXPECT(g::annotation_key, "expected an annotation name after `@`");
MANDATE_EXPECT(g::entity_names, "expected an entity type name after `entity`");
MANDATE_EXPECT(g::action_names, "expected an action name (an identifier or a string) after `action`");
MANDATE_EXPECT(g::entity_types, "expected an entity type name or a list `[...]` of them");
MANDATE_EXPECT(g::action_refs, "expected an action or a list `[...]` of actions");
MANDATE_EXPECT(g::type_name, "expected a name for the common type after `type`");
MANDATE_EXPECT(g::namespace_path, "expected a namespace name after `namespace`");
MANDATE_EXPECT(g::item_body, "expected a declaration: `entity`, `action`, `type` or `namespace`");
MANDATE_EXPECT(g::context_type, "expected a record type `{ ... }` or a common type name after `context:`");
MANDATE_EXPECT(g::record_type, "expected a record type `{ ... }` after `=`");
MANDATE_EXPECT(g::enum_list,
               "expected the string ids of the enumerated type, e.g. `enum [\"red\", \"green\"]`");
#undef MANDATE_EXPECT

template <typename Rule>
struct schema_control : peg::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    if constexpr (std::is_same_v<Rule, g::type_nesting_too_deep>) {
      throw peg::parse_error(
          "type nested too deeply (more than " + std::to_string(g::max_type_nesting) + " levels)", in);
    } else if constexpr (error_message<Rule> != nullptr) {
      throw peg::parse_error(error_message<Rule>, in);
    } else {
      throw peg::parse_error("syntax error: expected " + std::string(peg::demangle<Rule>()), in);
    }
  }
};

template <typename Rule>
using selector = peg::parse_tree::selector<
    Rule, peg::parse_tree::store_content::on<
              g::annotation, g::annotation_key, g::annotation_text, g::namespace_open, g::namespace_close,
              g::namespace_path, g::path_segment, g::entity_decl, g::entity_name, g::entity_parents,
              g::record_type, g::entity_tags, g::enum_values, g::enum_value, g::type_ref, g::set_type,
              g::attr_decl, g::attr_key_ident, g::attr_key_str, g::optional_mark, g::action_decl,
              g::action_name_str, g::action_name_ident, g::action_parents, g::action_ref_qualified,
              g::action_type_path, g::action_ref_id, g::applies_to, g::applies_principal, g::applies_resource,
              g::applies_context, g::type_decl, g::type_name>>;

// Joins the path_segment children of a path node with `::`, dropping any space around it.
std::string path_text(const parse_node& n) {
  std::string out;
  for (const auto& segment : n.children) {
    if (!segment->is_type<g::path_segment>()) continue;
    if (!out.empty()) out += "::";
    out += segment->string_view();
  }
  return out;
}

class tree_reader {
 public:
  tree_reader(raw_schema& out, const locator& where, std::size_t base, const std::string& ns,
              std::vector<diagnostic>& diagnostics)
      : out_(out), where_(where), base_(base), ns_(ns), diagnostics_(diagnostics) {}

  bool failed() const noexcept { return failed_; }

  /// `root` holds the annotations of the item, then the declaration itself.
  void declaration(const parse_node& root) {
    std::vector<raw_annotation> annotations;
    for (const auto& child : root.children) {
      const parse_node& c = *child;
      if (c.is_type<g::annotation>()) {
        annotations.push_back(annotation(c));
      } else if (c.is_type<g::entity_decl>()) {
        entity(c, std::move(annotations));
      } else if (c.is_type<g::action_decl>()) {
        action(c, std::move(annotations));
      } else if (c.is_type<g::type_decl>()) {
        common(c);
      }
    }
  }

 private:
  origin origin_of(const parse_node& n) const {
    const std::size_t begin = base_ + n.begin().byte;
    const std::size_t end = base_ + n.end().byte;
    return {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end - begin), -1};
  }

  void error(const parse_node& n, std::string message) {
    const origin at = origin_of(n);
    diagnostics_.push_back(where_.at(at.offset, at.length, "parse", std::move(message)));
    failed_ = true;
  }

  std::string string_value(const parse_node& n) {
    const std::string_view raw = n.string_view();
    std::string out;
    std::string message;
    if (!unescape_cedar(raw.substr(1, raw.size() - 2), out, message)) error(n, message);
    return out;
  }

  raw_annotation annotation(const parse_node& n) {
    raw_annotation a;
    a.where = origin_of(n);
    for (const auto& child : n.children) {
      if (child->is_type<g::annotation_key>()) a.key = std::string(child->string_view());
      if (child->is_type<g::annotation_text>()) a.value = string_value(*child);
    }
    return a;
  }

  raw_name name_of(const parse_node& type_ref) { return {path_text(type_ref), origin_of(type_ref)}; }

  std::vector<raw_name> entity_type_list(const parse_node& n) {
    std::vector<raw_name> out;
    for (const auto& child : n.children)
      if (child->is_type<g::type_ref>()) out.push_back(name_of(*child));
    return out;
  }

  // A type node: type_ref, set_type or record_type. Depth is bounded by the grammar.
  std::uint32_t type(const parse_node& n) {
    raw_type t;
    t.where = origin_of(n);
    if (n.is_type<g::type_ref>()) {
      t.kind = raw_type_kind::named;
      t.name = path_text(n);
    } else if (n.is_type<g::set_type>()) {
      t.kind = raw_type_kind::set;
      t.element = type(*n.children.at(0));
    } else {
      t.kind = raw_type_kind::record;
      for (const auto& child : n.children) {
        const parse_node& decl = *child;
        raw_attribute a;
        a.where = origin_of(decl);
        for (const auto& part : decl.children) {
          if (part->is_type<g::attr_key_ident>()) {
            a.name = std::string(part->string_view());
            a.where = origin_of(*part);
          } else if (part->is_type<g::attr_key_str>()) {
            a.name = string_value(*part);
            a.where = origin_of(*part);
          } else if (part->is_type<g::optional_mark>()) {
            a.required = false;
          } else if (part->is_type<g::type_ref>() || part->is_type<g::set_type>() ||
                     part->is_type<g::record_type>()) {
            a.type = type(*part);
          }
        }
        t.attributes.push_back(std::move(a));
      }
    }
    return out_.add_type(std::move(t));
  }

  void entity(const parse_node& n, std::vector<raw_annotation> annotations) {
    raw_entity shared;
    shared.ns = ns_;
    shared.annotations = std::move(annotations);
    std::vector<std::pair<std::string, origin>> names;
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::entity_name>()) {
        names.emplace_back(std::string(c.string_view()), origin_of(c));
      } else if (c.is_type<g::entity_parents>()) {
        shared.parents = entity_type_list(c);
      } else if (c.is_type<g::record_type>()) {
        shared.shape = type(c);
      } else if (c.is_type<g::entity_tags>()) {
        shared.tags = type(*c.children.at(0));
      } else if (c.is_type<g::enum_values>()) {
        shared.enumerated = true;
        for (const auto& id : c.children) shared.enum_ids.push_back({string_value(*id), origin_of(*id)});
      }
    }
    // `entity A, B in C { ... };` declares A and B alike.
    for (auto& [name, at] : names) {
      raw_entity e = shared;
      e.name = name;
      e.where = at;
      out_.entities.push_back(std::move(e));
    }
  }

  std::string action_name(const parse_node& n) {
    return n.is_type<g::action_name_str>() ? string_value(n) : std::string(n.string_view());
  }

  void action(const parse_node& n, std::vector<raw_annotation> annotations) {
    raw_action shared;
    shared.ns = ns_;
    shared.annotations = std::move(annotations);
    std::vector<std::pair<std::string, origin>> names;
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::action_name_str>() || c.is_type<g::action_name_ident>()) {
        names.emplace_back(action_name(c), origin_of(c));
      } else if (c.is_type<g::action_parents>()) {
        for (const auto& ref : c.children) {
          raw_action_ref r;
          r.where = origin_of(*ref);
          if (ref->is_type<g::action_ref_qualified>()) {
            r.type = path_text(*ref->children.at(0));
            r.id = string_value(*ref->children.at(1));
          } else {
            r.id = action_name(*ref);
          }
          shared.parents.push_back(std::move(r));
        }
      } else if (c.is_type<g::applies_to>()) {
        applies_to(c, shared);
      }
    }
    for (auto& [name, at] : names) {
      raw_action a = shared;
      a.id = name;
      a.where = at;
      out_.actions.push_back(std::move(a));
    }
  }

  void applies_to(const parse_node& n, raw_action& a) {
    a.has_applies_to = true;
    bool has_context = false;
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::applies_principal>()) {
        if (a.has_principal) error(c, "`principal` is listed twice in `appliesTo`");
        a.has_principal = true;
        a.principals = entity_type_list(c);
      } else if (c.is_type<g::applies_resource>()) {
        if (a.has_resource) error(c, "`resource` is listed twice in `appliesTo`");
        a.has_resource = true;
        a.resources = entity_type_list(c);
      } else if (c.is_type<g::applies_context>()) {
        if (has_context) error(c, "`context` is listed twice in `appliesTo`");
        has_context = true;
        a.context = type(*c.children.at(0));
      }
    }
  }

  void common(const parse_node& n) {
    raw_common c;
    c.ns = ns_;
    c.name = std::string(n.children.at(0)->string_view());
    c.where = origin_of(*n.children.at(0));
    c.type = type(*n.children.at(1));
    out_.commons.push_back(std::move(c));
  }

  raw_schema& out_;
  const locator& where_;
  std::size_t base_;
  const std::string& ns_;
  std::vector<diagnostic>& diagnostics_;
  bool failed_ = false;
};

// Steps over a string literal or a line comment starting at text[i]; returns the index after
// it, or i when neither starts there.
std::size_t skip_literal_or_comment(std::string_view text, std::size_t i) {
  if (text[i] == '"') {
    ++i;
    while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
    return std::min(i + 1, text.size());
  }
  if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '/') {
    while (i < text.size() && text[i] != '\n') ++i;
    return i;
  }
  return i;
}

// After a syntax error at `error_at` in the item that began at `item_start`, the next item
// begins after the `;` that ends the broken declaration, or at a `}` that closes the
// enclosing namespace. Braces are counted from the item's start so that a `}` of the broken
// declaration's own records is not mistaken for the namespace's.
std::size_t skip_to_next_item(std::string_view text, std::size_t item_start, std::size_t error_at) {
  long depth = 0;
  std::size_t i = item_start;
  while (i < error_at && i < text.size()) {
    const std::size_t after = skip_literal_or_comment(text, i);
    if (after != i) {
      i = after;
      continue;
    }
    if (text[i] == '{') ++depth;
    if (text[i] == '}') depth = std::max(0L, depth - 1);
    ++i;
  }
  i = std::max(i, error_at);
  while (i < text.size()) {
    const std::size_t after = skip_literal_or_comment(text, i);
    if (after != i) {
      i = after;
      continue;
    }
    const char c = text[i];
    if (c == '{') ++depth;
    if (c == '}') {
      if (depth == 0) return i;
      --depth;
    }
    if (c == ';' && depth == 0) return i + 1;
    ++i;
  }
  return text.size();
}

}  // namespace

bool read_cedarschema(const locator& where, raw_schema& out, std::vector<diagnostic>& diagnostics) {
  const std::string_view text = where.text();
  std::vector<std::string> open_namespaces;  // Cedar allows one level; more is an error
  std::set<std::string> declared_namespaces;
  std::string ns;
  std::size_t errors = 0;
  bool ok = true;
  std::size_t offset = 0;
  auto report = [&](diagnostic d) {
    diagnostics.push_back(std::move(d));
    ok = false;
    ++errors;
  };
  while (offset <= text.size() && errors < max_schema_errors) {
    peg::memory_input in(text.data() + offset, text.data() + text.size(), where.file_name());
    try {
      auto root =
          peg::parse_tree::parse<g::next_item, parse_node, selector, peg::nothing, schema_control>(in);
      if (!root || root->children.empty()) {  // end of input
        if (!open_namespaces.empty())
          report(where.at(text.size(), 1, "parse",
                          "expected `}` to close `namespace " + open_namespaces.back() + " {`"));
        break;
      }
      const parse_node& last = *root->children.back();
      if (last.is_type<g::namespace_close>()) {
        if (open_namespaces.empty()) {
          report(where.at(offset + last.begin().byte, 1, "parse", "`}` closes no namespace"));
        } else {
          open_namespaces.pop_back();
          ns = open_namespaces.empty() ? std::string() : open_namespaces.back();
        }
      } else if (last.is_type<g::namespace_open>()) {
        const parse_node& path = *last.children.at(0);
        const std::string name = path_text(path);
        const std::size_t at = offset + path.begin().byte;
        if (!open_namespaces.empty()) {
          report(where.at(offset + last.begin().byte, 7, "parse",
                          "namespaces do not nest; close `namespace " + open_namespaces.back() +
                              "` first, or name this one `" + open_namespaces.back() + "::" + name + "`"));
        } else if (!declared_namespaces.insert(name).second) {
          // Not a syntax error: the declarations still resolve, and their errors are worth seeing.
          diagnostics.push_back(where.at(at, name.size(), "schema",
                                         "namespace `" + name +
                                             "` is declared twice; put its declarations in one "
                                             "block"));
        }
        open_namespaces.push_back(name);
        ns = name;
      } else {
        tree_reader reader(out, where, offset, ns, diagnostics);
        reader.declaration(*root);
        if (reader.failed()) {
          ok = false;
          ++errors;
        }
      }
      const auto next = static_cast<std::size_t>(in.current() - text.data());
      offset = next > offset ? next : offset + 1;
    } catch (const peg::parse_error& e) {
      const std::size_t at = offset + (e.positions().empty() ? 0 : e.positions().front().byte);
      report(where.at(at, 1, "parse", std::string(e.message())));
      const std::size_t next = skip_to_next_item(text, offset, at);
      offset = next > offset ? next : offset + 1;
      // A skip that ran to the end has already said what is wrong; an unclosed namespace
      // found that way would only repeat it.
      if (offset >= text.size()) break;
    }
  }
  return ok;
}

}  // namespace mandate::detail::schema_build
