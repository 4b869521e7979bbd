// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Mandate: an embeddable policy engine for authorizing AI agents. Include this header for
// the whole public API.
//
//   auto policies = mandate::policy_set::load("policies/");      // expected<policy_set, diagnostics>
//   auto entities = mandate::entity_store::load("entities.json");
//   mandate::request req({"Agent", "support-bot"}, {"Action", "read"}, {"Ticket", "42"});
//   mandate::decision d = policies->evaluate(req, *entities);  // never throws
#pragma once

#include "mandate/audit.hpp"
#include "mandate/decision.hpp"
#include "mandate/diagnostic.hpp"
#include "mandate/engine.hpp"
#include "mandate/entities.hpp"
#include "mandate/expected.hpp"
#include "mandate/format.hpp"
#include "mandate/grants.hpp"
#include "mandate/lint.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/replay.hpp"
#include "mandate/trace.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"
#include "mandate/session.hpp"
#include "mandate/version.hpp"
