// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood event schemas (`.dwschema`): which kinds of events a session records for every
// action, which fields each kind logs, which kinds are decision points, how far back a temporal
// window may look, and which fields are pinned to the current request. The schema is written
// once for any application (`...inputs(A)` means "the fields of A's `context.input`"); deriving
// it against a Cedar schema gives the concrete fields of every (action, kind), which temporal
// predicates are then validated against.
//
//   max_window = 24h
//   decision event <A>::request {
//     ...inputs(A),                                   // the group `input`: input.user, ...
//     pin callerPrincipal: principalType(A) = principal,
//     requestId: String,
//   }
//
// Three steps, each reporting diagnostics and never throwing: parse_event_schema (syntax and
// every rule that needs no Cedar schema), derive_event_schema (bind to a Cedar schema, or to
// none), validate_predicates (a policy set's temporal predicates against the result).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ast/ast.hpp"
#include "mandate/diagnostic.hpp"
#include "schema/schema_model.hpp"
#include "temporal/event.hpp"
#include "temporal/formula.hpp"
#include "value/store.hpp"

namespace mandate::detail::dogwood {

// ---- the parsed schema --------------------------------------------------------------------

enum class selector : std::uint8_t { inputs, outputs, principal_type, resource_type };

/// What a pin's right-hand side reads on the current request.
enum class pin_root : std::uint8_t {
  principal,  // `= principal` or `= principal.attr...`: the scope entity (or its attribute)
  resource,   // likewise for the resource
  context,    // `= context.a.b`: a field of the request's context record
};

/// One entry of an event body or of a nested record type.
struct field_spec {
  enum class form : std::uint8_t {
    spread,         // ...inputs(A): the group `input` (or `output`)
    selector_type,  // name: principalType(A)
    concrete_type,  // name: String, name: Drupe::OAuthUser
    record_type,    // name: { fields }
  };
  form kind = form::concrete_type;
  selector sel = selector::inputs;  // spread, selector_type
  std::string name;                 // every form but spread
  std::string type_name;            // concrete_type, as written ("Drupe::OAuthUser")
  std::vector<field_spec> members;  // record_type
  bool pinned = false;
  pin_root root = pin_root::context;
  std::vector<std::string> pin_path;  // after the root: `context.a.b` -> {a, b}; `principal` -> {}
  std::uint32_t line = 0;             // where the entry starts, for messages
  std::uint32_t column = 0;
};

struct event_decl {
  bool decision = false;
  std::string binder;  // `A` of `event <A>::request`
  std::string kind;
  std::vector<field_spec> fields;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct event_schema_ast {
  std::string source_name;
  bool has_max_window = false;
  std::int64_t max_window_ms = 0;
  std::string max_window_text;  // as written, e.g. "24h"
  std::vector<event_decl> events;
};

/// Dogwood's default look-back cap when a schema sets none: 24 hours.
inline constexpr std::int64_t default_max_window_ms = 24LL * 60 * 60 * 1000;

/// The event schema used when none is given: a decision `request` and history-only `response`
/// and `error` kinds for every action, each logging the action's inputs, the caller's principal
/// and resource, a request id and a session id (`response` adds the outputs). It pins nothing,
/// so every temporal condition reads the whole session history.
[[nodiscard]] std::string_view default_event_schema() noexcept;

/// Parses `.dwschema` text. Checks everything that needs no Cedar schema: the directive comes
/// first, at most once, with a positive window; selector arguments name the declaration's
/// binder; `inputs`/`outputs` are spread and `principalType`/`resourceType` used as types; `pin`
/// goes with `= <reference>` and only on a leaf; field names are unique at every level and a
/// spread's group takes no named field's name; each kind is declared once; at least one event
/// is declared. On failure returns false and appends positioned diagnostics (code "event-schema").
[[nodiscard]] bool parse_event_schema(std::string_view text, std::string_view source_name,
                                      event_schema_ast& out, std::vector<diagnostic>& diagnostics);

// ---- the derived schema -------------------------------------------------------------------

enum class field_type_kind : std::uint8_t {
  unknown,  // not known (no Cedar schema, or a type name it does not declare): never checked
  boolean,
  long_integer,
  string,
  decimal,
  ipaddr,
  datetime,
  duration,
  entity,
  set,
  record,  // only as a set's element: a record-typed member is a group of fields
};

struct field_type {
  field_type_kind kind = field_type_kind::unknown;
  /// entity: the types a value may have; `principalType(A)` keeps A's whole `appliesTo` list.
  /// Empty means any entity. A name without `::` (written in a schema derived without a Cedar
  /// schema) also matches a qualified type with that last segment.
  std::vector<symbol> entity_types;
  std::vector<field_type> element;  // set: its element type (one entry)

  /// Cedar's spelling: `Long`, `Set<String>`, `Drupe::OAuthUser`, `Drupe::A | Drupe::B`.
  [[nodiscard]] std::string describe() const;
};

// Types as the temporal checks see them; lib/dogwood/temporal_types.cpp shares them.

/// The field type of a Cedar schema type: `Long`, `Set<String>`, an entity type, a record...
[[nodiscard]] field_type field_type_of(const schema_data& cedar, schema_type_id type);
/// The type a name denotes without a Cedar schema (a binder's annotation: `Long`, `String`,
/// `decimal`, ...); any other name is an entity type, kept as written.
[[nodiscard]] field_type field_type_of_name(std::string_view written);
/// The type of a constant.
[[nodiscard]] field_type field_type_of_value(const value& v);
/// True when a value of type `actual` may stand where `expected` is declared (a predicate's
/// field pattern): the same kind, entities sharing a type, sets with accepted elements. An
/// unknown type on either side is accepted.
[[nodiscard]] bool field_type_accepts(const field_type& expected, const field_type& actual);
/// Dogwood's spelling of a type in its messages: `int`, `string`, `boolean`, `decimal`, an
/// entity type's last segment (its full name when `qualified`), `array<T>`, `object`.
[[nodiscard]] std::string dogwood_type_text(const field_type& t, bool qualified = false);

/// A declared leaf of an event: what a predicate's `field.path: term` may name.
struct event_field {
  std::vector<symbol> path;
  std::string text;  // the dotted path, "input.user"
  field_type type;
};

struct event_pin {
  std::vector<symbol> field;  // the pinned leaf's path
  std::string field_text;     // its dotted path
  pin_root root = pin_root::context;
  std::vector<symbol> path;  // after the root (see field_spec::pin_path)
  /// Declared identically on every derived event kind and symmetric (the reference is the
  /// field's own context path, or callerPrincipal = principal / callerResource = resource).
  bool universal = false;

  [[nodiscard]] std::string reference_text() const;  // "principal", "context.tenant_id"
  friend bool operator==(const event_pin& a, const event_pin& b) noexcept {
    return a.field == b.field && a.root == b.root && a.path == b.path;
  }
};

enum class path_lookup : std::uint8_t { leaf, group, absent };

/// The event one (action, kind) logs.
struct derived_event {
  entity_uid action;  // {0, 0} in a schema derived without a Cedar schema (any action)
  symbol kind = 0;
  bool decision = false;
  std::vector<event_field> fields;               // every leaf, sorted by dotted path
  std::vector<std::vector<symbol>> groups;       // every group (`input`, `meta.session`)
  std::vector<std::vector<symbol>> open_groups;  // groups whose members are unknown: any path below is a leaf
  std::vector<event_pin> pins;

  /// Resolves a field path: a declared leaf (then `*leaf` is set, or null for a leaf under an
  /// open group, whose type is unknown), a group, or nothing.
  [[nodiscard]] path_lookup lookup(std::span<const symbol> path, const event_field** leaf = nullptr) const;
  /// The declared leaves for messages: "callerPrincipal, callerResource, input.user, ...".
  [[nodiscard]] std::string declared_fields() const;
};

struct derived_event_schema {
  /// One entry per (action, kind) when derived against a Cedar schema (every action the
  /// schema declares, action groups included, in the schema's order, kinds in declaration
  /// order). Without a Cedar schema, one entry per kind whose `action` is {0, 0}, standing for
  /// every action; `inputs`/`outputs` are then open groups.
  std::vector<derived_event> events;
  bool any_action = false;  // derived without a Cedar schema
  std::int64_t max_window_ms = default_max_window_ms;
  std::string max_window_text = "24h";
  std::vector<symbol> decision_kinds;  // kinds marked `decision`, in declaration order
  std::vector<symbol> kinds;           // every declared kind, in declaration order
  /// The universal symmetric pins (the same entries as those marked `universal` on each
  /// event). When there is at least one, temporal conditions take key-local semantics: see
  /// pins_for.
  std::vector<event_pin> universal_pins;

  // What validation needs of the Cedar schema, copied so this outlives it.
  bool has_cedar_schema = false;
  std::unordered_set<symbol> entity_types;                          // declared entity types
  std::unordered_map<symbol, std::vector<symbol>> enum_ids;         // enumerated types -> their ids
  std::map<std::pair<std::uint64_t, symbol>, std::uint32_t> index;  // (action key, kind) -> events

  /// The event a predicate `action::kind{...}` names, or null.
  [[nodiscard]] const derived_event* find(entity_uid action, symbol kind) const noexcept;
  [[nodiscard]] bool is_decision_kind(symbol kind) const noexcept;
};

/// Binds `schema` to the Cedar schema `cedar`, or to no schema when it is null (then every
/// action has every kind, `input.*` and `output.*` paths are accepted with unknown types and
/// entity type names are kept as written). A Cedar schema whose input/output records expand to
/// more than 10,000 fields or nest deeper than 64 levels is refused with a diagnostic.
/// `out` is replaced. Returns false when diagnostics were added.
[[nodiscard]] bool derive_event_schema(const event_schema_ast& schema, const schema_data* cedar,
                                       derived_event_schema& out, std::vector<diagnostic>& diagnostics);

// ---- validation ---------------------------------------------------------------------------

/// Checks the temporal conditions of a policy set against the derived event schema (Dogwood's
/// event-schema name resolution and the schema parts of its temporal dialect; the context paths
/// and comparison types, which depend on the policy's actions, are validate_temporal_types' part,
/// in temporal_types.hpp):
///  - every predicate names a derived event ("predicate `Drupe::Action::\"Lgoin\"::request` does
///    not name a declared event (no event kind `request` derived for action `Lgoin`)");
///  - every field path it mentions is a declared leaf, not a group and not absent (the message
///    lists the declared fields);
///  - a constant, array, aggregate or typed variable bound to a field has the field's type,
///    when both are known ("argument `input.mode` of `Tool2` expects `Tool2_Input_mode` but got
///    `int`");
///  - every entity literal names a declared entity type, with a permitted id when the type is
///    enumerated (checked only when derived against a Cedar schema; actions are skipped);
///  - every `within` window is positive and at most the schema's max_window.
/// Diagnostics (code "temporal", "type" for argument types) point into `ast`'s files through
/// the spans of the program. Indices out of range are skipped, never followed.
void validate_predicates(const temporal::temporal_program& program, const derived_event_schema& schema,
                         const policy_set_ast& ast, std::vector<diagnostic>& diagnostics);

// ---- pins ---------------------------------------------------------------------------------

/// The correlations the schema's pins add to `p`: for each pin of the event `p` names, a
/// pattern `field: <reference>` whose term (a context path, or principal / resource with an
/// attribute path) is appended to `program.terms`; the caller appends the patterns to the
/// predicate's fields. They go on unconditionally, after a pattern the author wrote for the
/// same field: an agreeing one is then redundant, a disagreeing one makes the predicate
/// unsatisfiable, so a pin cannot be bypassed. Empty when `p` names no derived event.
///
/// Universal pins are left out unless `include_universal`: the evaluator enforces them by
/// partitioning instead. With at least one universal pin, Dogwood evaluates every temporal leaf
/// as if the history held only the events that agree with the current request on every
/// universal pin (key-local semantics: `previous` is this key's previous event, and another
/// key's events neither satisfy nor interrupt a `since`). So the evaluator builds, for each
/// decision, the timeline of the events whose value at each universal pin's field
/// (event_pin_value) equals (value_equal, so decimal 0.0 == -0.0) the request's value for the
/// pin's reference (request_pin_value), and evaluates the leaves over that timeline only; its
/// `truncated` flag follows the partition's own dropped events. An event that lacks a pinned
/// field, or a request whose reference cannot be read, belongs to no partition: that request
/// sees an empty history (as the injected pin would match nothing). Non-universal pins keep the
/// whole-history semantics and are injected as ordinary patterns.
[[nodiscard]] std::vector<temporal::field_pattern> pins_for(const derived_event_schema& schema,
                                                            const temporal::predicate& p,
                                                            temporal::temporal_program& program,
                                                            bool include_universal = false);

/// The value an event logs at a pin's field (a path into `event.fields`), or null when absent.
[[nodiscard]] const value* event_pin_value(const event_pin& pin, const temporal::event& event) noexcept;

/// The current request's value for a pin's reference: the principal / resource entity, one of
/// its attributes read in `entities`, or a path into the context record. False when it cannot
/// be read (an absent attribute or field, an entity missing from `entities`, a non-record on the
/// way).
[[nodiscard]] bool request_pin_value(const event_pin& pin, const request_view& request,
                                     const entity_data* entities, value& out) noexcept;

}  // namespace mandate::detail::dogwood
